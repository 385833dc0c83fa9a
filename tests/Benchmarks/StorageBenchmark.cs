namespace ManagedDistribution.Benchmarks;

/// <summary>
/// `storage`: the raw ceilings through our REST clients at a few concurrency levels, and the same
/// operations through the official JavaScript SDK in the same run, so the cost of our clients shows.
/// </summary>
public static class StorageBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var scale = args.Contains("--quick") ? 0.2 : 1.0;
        int N(int n) => Math.Max(100, (int)(n * scale));

        await using var storage = await BenchmarkStorage.StartAsync();
        var ceilings = new StorageCeilings(storage);
        Console.WriteLine($"storage ceilings through our clients ({(Environment.GetEnvironmentVariable("BENCH_STORAGE_CONNECTION") is null ? "in-memory Azurite 3.35.0" : "BENCH_STORAGE_CONNECTION")})");

        foreach (var c in new[] { 1, 8, 32 })
            await Report.TryLineAsync($"table single inserts/s (concurrency {c})", () => ceilings.TableSingleInsertsPerSecondAsync(N(3000), c), "ent/s");
        foreach (var c in new[] { 1, 4 })
            await Report.TryLineAsync($"table batched entities/s ({c} x 100-entity batches)", () => ceilings.TableBatchedEntitiesPerSecondAsync(N(30000), c), "ent/s");
        foreach (var c in new[] { 8, 32 })
            await Report.TryLineAsync($"table conditional read-modify-writes/s (conc. {c})", () => ceilings.TableConditionalReadModifyWritesPerSecondAsync(N(3000), c), "op/s");
        var (scanRate, scanned) = await ceilings.TableScannedRowsPerSecondAsync(N(50000));
        Report.Line($"table scanned rows/s ({scanned} rows)", scanRate, "rows/s");
        foreach (var c in new[] { 1, 8, 32 })
            await Report.TryLineAsync($"queue sends/s (concurrency {c})", () => ceilings.QueueSendsPerSecondAsync(N(3000), c), "msg/s");
        foreach (var c in new[] { 1, 4 })
            await Report.TryLineAsync($"queue receive+delete/s (receivers {c})", () => ceilings.QueueReceiveDeletesPerSecondAsync(N(1000), c), "msg/s");

        await JavaScriptSdkBenchmark.RunAsync(storage.ConnectionString, scale);
        return 0;
    }
}
