using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Benchmarks;

/// <summary>
/// The raw storage ceilings every other benchmark is compared with, measured through our own
/// clients against the account of the run (DESIGN.md §5). Each method uses fresh tables/queues.
/// </summary>
public sealed class StorageCeilings(BenchmarkStorage storage)
{
    static int runs;
    static string NewPrefix() => $"bench{Environment.ProcessId % 1000}x{Interlocked.Increment(ref runs)}";

    public async Task<double> QueueSendsPerSecondAsync(int total, int concurrency)
    {
        var queue = new QueueServiceClient(storage.Account, BenchmarkStorage.Prefixed(NewPrefix())).GetQueueClient("sends");
        await queue.CreateIfNotExistsAsync(default);
        var body = new string('x', 200);
        var rate = await Report.RateAsync(total, concurrency, _ => queue.SendMessageAsync(body));
        // Azurite slows every queue operation as the messages it holds grow, so leave none behind.
        await queue.DeleteIfExistsAsync(default);
        return rate;
    }

    /// <summary>Receive in batches of 32 and delete each message; the queue is filled first (not timed).</summary>
    public async Task<double> QueueReceiveDeletesPerSecondAsync(int total, int concurrency)
    {
        var queue = new QueueServiceClient(storage.Account, BenchmarkStorage.Prefixed(NewPrefix())).GetQueueClient("receives");
        await queue.CreateIfNotExistsAsync(default);
        await Report.RateAsync(total, 32, _ => queue.SendMessageAsync("{\"n\":1}"));

        var done = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (Volatile.Read(ref done) < total)
            {
                var batch = await queue.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(5), default);
                if (batch.Count == 0) { await Task.Delay(10); continue; }
                await Task.WhenAll(batch.Select(m => queue.DeleteMessageAsync(m.MessageId, m.PopReceipt, default)));
                Interlocked.Add(ref done, batch.Count);
            }
        }));
        var rate = done / clock.Elapsed.TotalSeconds;
        await queue.DeleteIfExistsAsync(default);
        return rate;
    }

    async Task<TableClient> NewTableAsync(string name)
    {
        var table = new TableServiceClient(storage.Account, BenchmarkStorage.Prefixed(NewPrefix())).GetTableClient(name);
        await table.CreateIfNotExistsAsync(default);
        return table;
    }

    static TableEntity Entity(string pk, string rk, int n) => new(pk, rk) { ["Name"] = "bench", ["N"] = n };

    public async Task<double> TableSingleInsertsPerSecondAsync(int total, int concurrency)
    {
        var table = await NewTableAsync("inserts");
        return await Report.RateAsync(total, concurrency, i => table.AddEntityAsync(Entity($"p{i % 16}", $"r{i}", i)));
    }

    /// <summary>Entities per second written in 100-entity entity group transactions.</summary>
    public async Task<double> TableBatchedEntitiesPerSecondAsync(int totalEntities, int concurrency)
    {
        var table = await NewTableAsync("batches");
        var batches = Math.Max(1, totalEntities / 100);
        var rate = await Report.RateAsync(batches, concurrency, b => table.SubmitTransactionAsync(
            Enumerable.Range(0, 100).Select(i => new TableTransactionAction(TableTransactionActionType.Add, Entity($"p{b}", $"r{i}", i))).ToList()));
        return rate * 100;
    }

    /// <summary>Get then conditional replace (If-Match) on distinct entities, as a ledger update does.</summary>
    public async Task<double> TableConditionalReadModifyWritesPerSecondAsync(int total, int concurrency)
    {
        var table = await NewTableAsync("rmw");
        await TableFill(table, total);
        return await Report.RateAsync(total, concurrency, async i =>
        {
            var entity = (await table.GetEntityAsync($"p{i / 100}", $"r{i % 100}"))!;
            entity["N"] = entity.GetInt32("N") + 1;
            await table.UpdateEntityAsync(entity, entity.ETag);
        });
    }

    /// <summary>Rows per second read by one query following continuation across pages.</summary>
    public async Task<(double RowsPerSecond, int Rows)> TableScannedRowsPerSecondAsync(int rows)
    {
        var table = await NewTableAsync("scan");
        await TableFill(table, rows);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var count = 0;
        await foreach (var _ in table.QueryAsync()) count++;
        return (count / clock.Elapsed.TotalSeconds, count);
    }

    static Task TableFill(TableClient table, int rows) =>
        Report.RateAsync((rows + 99) / 100, 4, b => table.SubmitTransactionAsync(
            Enumerable.Range(0, Math.Min(100, rows - b * 100)).Select(i => new TableTransactionAction(TableTransactionActionType.Add, Entity($"p{b}", $"r{i}", i))).ToList()));
}
