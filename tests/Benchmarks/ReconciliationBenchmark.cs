using System.Diagnostics;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using ManagedDistribution.AppleEmulator;
using ManagedDistribution.AppleEmulator.AppsAndBooks;
using ManagedDistribution.Features.Catalog;
using ManagedDistribution.Features.Licenses;
using ManagedDistribution.Features.Reconciliation;
using ManagedDistribution.Platform.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ManagedDistribution.Benchmarks;

/// <summary>
/// `reconciliation`: a full reconciliation of 1,000 assets and 500,000 Apple assignments (DESIGN.md
/// §5: ≤ 30 s, ≤ 512 MB). The app runs as its own process on Azurite, so its peak working set is
/// its own; the Apps and Books emulator runs in this process, seeded in-process, and the ledger is
/// seeded with matching committed target rows where the ledger keeps them
/// (<see cref="LicenseTargetLayout"/>), in transactions of up to 100 (not timed). Timed from
/// <c>POST /api/reconciliation {full:true}</c> until the run is completed, twice: the first reads
/// every item's rows, the second finds them unchanged since verified (the steady state). Printed next to the
/// scanned-rows and batched-entities ceilings of the same run.
/// Options: <c>--assets 1000 --per-asset 500 --timeout 120 (s)</c>.
/// </summary>
public static class ReconciliationBenchmark
{
    const string AdminKey = "reconciliation-benchmark-admin-key-0123456789";
    const string Prefix = "reconbench";

    public static async Task<int> RunAsync(string[] args)
    {
        var assets = BenchmarkOptions.Int(args, "--assets", 1000);
        var perAsset = BenchmarkOptions.Int(args, "--per-asset", 500);
        var timeout = TimeSpan.FromSeconds(BenchmarkOptions.Int(args, "--timeout", 120));

        await using var storage = await BenchmarkStorage.StartAsync();
        var ceilings = new StorageCeilings(storage);
        var (scanned, _) = await ceilings.TableScannedRowsPerSecondAsync(50_000);
        var batched = await ceilings.TableBatchedEntitiesPerSecondAsync(20_000, 8);

        await using var emulatorHost = await EmulatorHost.StartAsync(["--urls", "http://127.0.0.1:0"], b => b.Logging.ClearProviders());
        var emulator = emulatorHost.Services.GetRequiredService<AppsAndBooksEmulator>();
        var root = emulatorHost.HttpRoot;
        var location = emulator.AddLocation("Benchmark School");
        var clock = Stopwatch.StartNew();
        for (var a = 0; a < assets; a++)
        {
            location.AddAsset(AdamId(a), perAsset + 100);
            location.SeedAssignments(AdamId(a), Enumerable.Range(0, perAsset).Select(i => Serial(a, i)));
        }
        Console.WriteLine($"emulator seeded: {assets:N0} assets, {assets * perAsset:N0} assignments in {clock.Elapsed.TotalSeconds:N1} s");

        await using var app = await BenchmarkApp.StartAsync(new Dictionary<string, string>
        {
            ["AzureWebJobsStorage"] = storage.ConnectionString,
            ["Storage__Prefix"] = Prefix,
            ["Auth__AdminApiKeys__0"] = AdminKey,
            ["AppleAppsAndBooks__BaseUrl"] = root + "/mdm/v2/",
            ["AppleAppsAndBooks__MdmId"] = "md-benchmark",
            ["AppleAppsAndBooks__MaxParallelPageRequests"] = "5",
            ["LocationTokens__EncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Reconciliation__Schedule"] = "0 0 0 1 1 *",
            ["Hosting__MaxPollingInterval"] = "00:00:00.100",
            ["Logging__LogLevel__ManagedDistribution.Features.Reconciliation.LocationReconciler"] = "Information",
        });
        using var http = app.AdminClient(AdminKey);
        (await http.PostAsJsonAsync("api/vpp/tokens", new { sToken = location.SToken })).EnsureSuccessStatusCode();

        clock.Restart();
        var rows = await SeedLedgerAsync(storage, location.UId, assets, perAsset);
        Console.WriteLine($"ledger seeded: {rows:N0} rows in {clock.Elapsed.TotalSeconds:N1} s ({rows / clock.Elapsed.TotalSeconds:N0} entities/s)");

        var (first, firstOk) = await FullRunAsync(http, assets, perAsset, timeout);
        // Steady state: our rows unchanged since the first run found them equal to Apple's, so they are not read again.
        var (later, laterOk) = await FullRunAsync(http, assets, perAsset, timeout);
        var ok = firstOk && laterOk;
        var appPeak = app.PeakWorkingSet;
        Report.Line("storage ceiling: scanned rows/s (one query)", scanned, "rows/s");
        Report.Line("storage ceiling: batched entities/s (100/transaction)", batched, "entities/s");
        Report.Line($"first full reconciliation, {assets:N0} assets / {(long)assets * perAsset:N0} assignments", first.Elapsed.TotalSeconds, "s",
            first.Summary + ", every item's rows read");
        Report.Line("  our target rows compared per second", (long)assets * perAsset / first.Elapsed.TotalSeconds, "rows/s",
            $"{(long)assets * perAsset / first.Elapsed.TotalSeconds / scanned * 100:N0}% of the scan ceiling");
        Report.Line($"later full reconciliation, {assets:N0} assets / {(long)assets * perAsset:N0} assignments", later.Elapsed.TotalSeconds, "s",
            later.Summary + ", rows unchanged since verified (target ≤ 30 s)");
        Report.Line("  app process peak working set", appPeak / 1024.0 / 1024.0, "MB", "own process: app only (target ≤ 512 MB)");
        Report.Line("  benchmark process peak working set", Process.GetCurrentProcess().PeakWorkingSet64 / 1024.0 / 1024.0, "MB",
            $"emulator with 500,000 assignments + seeding; managed now {GC.GetTotalMemory(false) / 1024.0 / 1024.0:N0} MB");
        return ok ? 0 : 1;
    }

    /// <summary>One <c>POST {full:true}</c> run, timed until completed.</summary>
    static async Task<((TimeSpan Elapsed, string Summary) Result, bool Ok)> FullRunAsync(HttpClient http, int assets, int perAsset, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        var started = await (await http.PostAsJsonAsync("api/reconciliation", new { full = true })).Content.ReadFromJsonAsync<ReconciliationStarted>(JsonSerializerOptions.Web);
        ReconciliationReport? report = null;
        while (clock.Elapsed < timeout)
        {
            report = await http.GetFromJsonAsync<ReconciliationReport>($"api/reconciliation/{started!.RunId}", JsonSerializerOptions.Web);
            if (report!.Run.State != RunStates.Running) break;
            await Task.Delay(100);
        }
        var elapsed = clock.Elapsed;
        var drift = report?.Locations.SingleOrDefault();
        var ok = report?.Run.State == RunStates.Completed && drift is { AppleAssignmentsRead: var read, Totals.Lost: 0, Totals.Orphans: 0 }
            && read == (long)assets * perAsset && drift.ItemsChecked == assets;
        return ((elapsed, $"{report?.Run.State}; read {drift?.AppleAssignmentsRead:N0}, items {drift?.ItemsChecked:N0}, lost {drift?.Totals.Lost}, orphans {drift?.Totals.Orphans}: {(ok ? "EXACT" : "WRONG")}"), ok);
    }

    /// <summary>
    /// Per item: the ledger row (Assigned = all) in <c>licenses</c> and one committed target row per
    /// serial where the ledger keeps them (<see cref="LicenseTargetLayout"/>: shard and slice table, bucket
    /// partition), 100 per transaction within a partition, 8 transactions at once.
    /// </summary>
    static async Task<long> SeedLedgerAsync(BenchmarkStorage storage, string uId, int assets, int perAsset)
    {
        var service = new TableServiceClient(storage.Account, BenchmarkStorage.Prefixed(Prefix));
        var ledgers = service.GetTableClient(LicenseLedger.TableName);
        await ledgers.CreateIfNotExistsAsync(default);
        var shards = Enumerable.Range(0, LicenseTargetLayout.Shards)
            .Select(s => Enumerable.Range(0, LicenseTargetLayout.Slices).Select(slice => service.GetTableClient(LicenseTargetLayout.TableName(s, slice))).ToArray()).ToArray();
        foreach (var table in shards.SelectMany(s => s)) await table.CreateIfNotExistsAsync(default);
        var now = DateTimeOffset.UtcNow;
        var batches = Enumerable.Range(0, assets).SelectMany(a =>
        {
            var contentId = ContentRecord.VppId(uId, AdamId(a), "STDQ");
            var ledger = new LedgerEntry(contentId, uId, AdamId(a), "STDQ", new LedgerCounts(perAsset + 100, perAsset, 0, 0), perAsset, now, default);
            var targets = Enumerable.Range(0, perAsset)
                .Select(i => LicenseTargetLayout.ToEntity(contentId, LicenseTarget.Device(Serial(a, i)), LicenseState.Committed, "bench:" + contentId, "bench-" + a))
                .GroupBy(e => e.PartitionKey, StringComparer.Ordinal)
                .SelectMany(partition => partition.Chunk(100))
                .Select(chunk => (Table: shards[LicenseTargetLayout.ShardOf(contentId)][LicenseTargetLayout.SliceOfPartition(chunk[0].PartitionKey)], Rows: chunk));
            return targets.Prepend((Table: ledgers, Rows: new[] { ledger.ToEntity(now) }));
        });
        long written = 0;
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (batch, ct) =>
        {
            await batch.Table.SubmitTransactionAsync([.. batch.Rows.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, e))], ct);
            Interlocked.Add(ref written, batch.Rows.Length);
        });
        return written;
    }

    static string AdamId(int a) => (1_000_000 + a).ToString(System.Globalization.CultureInfo.InvariantCulture);
    static string Serial(int a, int i) => $"C{a:D4}X{i:D6}";
}
