using System.Diagnostics;
using ManagedDistribution.Features.Licenses;
using ManagedDistribution.Platform.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace ManagedDistribution.Benchmarks;

/// <summary>
/// `licenses`: 200 concurrent single-license reservations racing for the last 10 licenses of an
/// item through the ledger (one conditional write per success, bounded retry on 412), then the
/// counts checked, next to the conditional read-modify-write ceiling of the same run.
/// Odd rounds race in one app instance, even rounds split the racers over two (ETag contention).
/// Options: --racers N (default 200), --left N (default 10), --rounds N (default 4).
/// </summary>
public static class LicensesBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var racers = BenchmarkOptions.Int(args, "--racers", 200);
        var left = BenchmarkOptions.Int(args, "--left", 10);
        var rounds = BenchmarkOptions.Int(args, "--rounds", 4);

        await using var storage = await BenchmarkStorage.StartAsync();
        var ceilings = new StorageCeilings(storage);
        Report.Line("table conditional read-modify-writes/s (concurrency 16)",
            await ceilings.TableConditionalReadModifyWritesPerSecondAsync(3_000, 16), "op/s", "ceiling (distinct rows)");

        var service = new TableServiceClient(storage.Account, BenchmarkStorage.Prefixed("licbench"));
        // Two ledgers on the same tables stand for two app instances: only the ETags keep them apart.
        LicenseLedger[] instances = [.. Enumerable.Range(0, 2).Select(_ => new LicenseLedger(service, TimeProvider.System, NullLogger<LicenseLedger>.Instance))];
        var failures = 0;
        for (var round = 1; round <= rounds; round++)
            failures += await RaceAsync(round % 2 == 1 ? instances[..1] : instances, round, racers, left) ? 0 : 1;
        return failures == 0 ? 0 : 1;
    }

    static async Task<bool> RaceAsync(LicenseLedger[] ledgers, int round, int racers, int left)
    {
        var item = $"vpp-bench-{round}-STDQ";
        var ledger = ledgers[0];
        const int earlier = 100;
        await ledger.SyncFromAppleAsync(item, new AppleCounts("bench", round.ToString(), "STDQ", earlier + left, 0));
        await ledger.ReserveAsync(new(item, earlier, "earlier", "earlier"));
        await ledger.CommitAsync(item, "earlier");

        var clock = Stopwatch.StartNew();
        var results = await Task.WhenAll(Enumerable.Range(0, racers).Select(i =>
            Task.Run(() => ledgers[i % ledgers.Length].ReserveAsync(new(item, 1, $"device-{i}", $"race-{round}-{i}")))));
        var elapsed = clock.Elapsed;

        var reserved = results.Count(r => r.Outcome == ReservationOutcome.Reserved);
        var exhausted = results.Count(r => r.Outcome == ReservationOutcome.Exhausted);
        var other = racers - reserved - exhausted;
        var counts = (await ledger.GetAsync(item))!.Counts;
        var waiting = (await ledger.GetWaitingAsync(item)).Count;
        var exact = reserved == left && exhausted == racers - left && other == 0
            && counts == new LedgerCounts(earlier + left, earlier, left, 0) && counts.Available == 0 && waiting == exhausted;
        Report.Line($"round {round}: {racers} racers, {ledgers.Length} instance(s), last {left} licenses", elapsed.TotalMilliseconds, "ms",
            $"{reserved} reserved, {exhausted} license-exhausted, {other} other; ledger total {counts.Total} assigned {counts.Assigned} " +
            $"reserved {counts.Reserved} available {counts.Available}, {waiting} waiting: {(exact ? "EXACT" : "WRONG")}");
        Report.Line($"round {round}: reservation answers/s", racers / elapsed.TotalSeconds, "req/s");
        return exact;
    }
}
