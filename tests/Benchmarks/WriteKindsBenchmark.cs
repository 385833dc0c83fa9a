using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Benchmarks;

/// <summary>
/// `write-kinds`: what each kind of batched write costs Azurite on rows that already sit in a big
/// table — the measurement behind the choice of inserts and merges over replaces, and behind
/// spreading an item's license target rows over 8 tables (Features/Licenses/README.md: merges
/// cost half in a table of 6,250 rows than in one of 50,000). A table of --rows N (default 50,000) in --partitions P (default 64)
/// is filled, then every row is written again in 100-row transactions as UpdateReplace,
/// UpdateMerge, UpsertReplace, UpsertMerge, and N new rows are added, each timed on its own.
/// --payload N adds a string property of N characters to every row (what entity size costs);
/// --batch N writes transactions of N rows instead of 100 (what half-empty transactions cost).
/// </summary>
public static class WriteKindsBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var rows = BenchmarkOptions.Int(args, "--rows", 50_000);
        var partitions = BenchmarkOptions.Int(args, "--partitions", 64);
        var payload = new string('x', BenchmarkOptions.Int(args, "--payload", 0));
        var batchSize = BenchmarkOptions.Int(args, "--batch", 100);
        await using var storage = await BenchmarkStorage.StartAsync();
        var table = new TableServiceClient(storage.Account, BenchmarkStorage.Prefixed($"kinds{Environment.ProcessId % 1000}")).GetTableClient("kinds");
        await table.CreateIfNotExistsAsync(default);
        var perPartition = (rows + partitions - 1) / partitions;
        var batches = Enumerable.Range(0, partitions)
            .SelectMany(p => Enumerable.Range(0, perPartition).Chunk(batchSize).Select(chunk => (Partition: p, Rows: chunk)))
            .ToList();

        async Task<double> WriteAllAsync(TableTransactionActionType kind, string rowPrefix, int round)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            await Report.RateAsync(batches.Count, 8, b => table.SubmitTransactionAsync([.. batches[b].Rows.Select(r =>
                new TableTransactionAction(kind, Row($"p{batches[b].Partition:D3}", $"{rowPrefix}{r:D6}", round, payload)))]));
            return batches.Sum(b => b.Rows.Length) / clock.Elapsed.TotalSeconds;
        }

        Report.Line($"write-kinds: fill {partitions} partitions (Add)", await WriteAllAsync(TableTransactionActionType.Add, "r", 0), "ent/s", $"({rows:N0} rows)");
        var round = 1;
        foreach (var kind in new[] { TableTransactionActionType.UpdateReplace, TableTransactionActionType.UpdateMerge,
                     TableTransactionActionType.UpsertReplace, TableTransactionActionType.UpsertMerge })
            Report.Line($"write-kinds: {kind} of existing rows", await WriteAllAsync(kind, "r", round++), "ent/s", $"(table of {rows:N0})");
        Report.Line("write-kinds: Add of new rows", await WriteAllAsync(TableTransactionActionType.Add, "s", 0), "ent/s", $"(table grows to {2 * rows:N0})");
        return 0;
    }

    static TableEntity Row(string pk, string rk, int round, string payload)
    {
        var row = new TableEntity(pk, rk) { ["State"] = "committed", ["Owner"] = "device-group:bench:vpp-1", ["Round"] = round };
        if (payload.Length > 0) row["Payload"] = payload;
        return row;
    }
}
