using ManagedDistribution.Features.Licenses;
using ManagedDistribution.Platform.Storage;
using ManagedDistribution.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ManagedDistribution.Tests.Features.Licenses;

/// <summary>The ledger against Azurite: reserve, commit, release, replays, exhaustion, races.</summary>
public sealed class LicenseLedgerTests
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    readonly LicenseLedger ledger;

    /// <summary>A second ledger on the same tables: another app instance, so only the ETags keep them apart.</summary>
    readonly LicenseLedger otherInstance;
    readonly TableServiceClient service;

    public LicenseLedgerTests(AzuriteFixture azurite)
    {
        service = new TableServiceClient(azurite.Account, Options.Create(new StorageOptions { Prefix = AzuriteFixture.NewPrefix() }));
        ledger = new LicenseLedger(service, TimeProvider.System, NullLogger<LicenseLedger>.Instance);
        otherInstance = new LicenseLedger(service, TimeProvider.System, NullLogger<LicenseLedger>.Instance);
    }

    async Task<string> ItemAsync(int total, int appleAssigned = 0)
    {
        var id = "vpp-1-" + Guid.NewGuid().ToString("N")[..8] + "-STDQ";
        await ledger.SyncFromAppleAsync(id, new AppleCounts("1", "42", "STDQ", total, appleAssigned), Cancel);
        return id;
    }

    async Task<LedgerCounts> CountsAsync(string id) => (await ledger.GetAsync(id, Cancel))!.Counts;

    [Fact]
    public async Task ReserveCommitReleaseAndReturnMoveTheCounts()
    {
        var item = await ItemAsync(5);

        var a = await ledger.ReserveAsync(new(item, 2, "assignment-a", "key-a"), Cancel);
        var b = await ledger.ReserveAsync(new(item, 1, "assignment-b", "key-b"), Cancel);
        Assert.Equal((ReservationOutcome.Reserved, 2, 3), (a.Outcome, a.Granted, a.Available));
        Assert.Equal(new LedgerCounts(5, 0, 3, 0), await CountsAsync(item));

        Assert.Equal(SettleOutcome.Applied, (await ledger.CommitAsync(item, "key-a", cancellationToken: Cancel)).Outcome);
        Assert.Equal(SettleOutcome.Applied, (await ledger.ReleaseAsync(item, "key-b", cancellationToken: Cancel)).Outcome);
        Assert.Equal(new LedgerCounts(5, 2, 0, 0), await CountsAsync(item));

        var returned = await ledger.ReturnAsync(item, "key-a", 1, "revoke-1", Cancel);
        Assert.Equal((SettleOutcome.Applied, 1), (returned.Outcome, returned.Moved));
        Assert.Equal(new LedgerCounts(5, 1, 0, 0), await CountsAsync(item));
        Assert.Equal(4, (await CountsAsync(item)).Available);
    }

    [Fact]
    public async Task ReplaysAreIdempotent()
    {
        var item = await ItemAsync(3);
        var first = await ledger.ReserveAsync(new(item, 2, "owner", "same-key"), Cancel);
        var again = await ledger.ReserveAsync(new(item, 2, "owner", "same-key"), Cancel);
        Assert.False(first.Replayed);
        Assert.True(again.Replayed);
        Assert.Equal(2, again.Granted);
        Assert.Equal(2, (await CountsAsync(item)).Reserved);

        Assert.Equal(SettleOutcome.Applied, (await ledger.CommitAsync(item, "same-key", 1, "event-1", Cancel)).Outcome);
        Assert.Equal(SettleOutcome.Replayed, (await ledger.CommitAsync(item, "same-key", 1, "event-1", Cancel)).Outcome);
        Assert.Equal(SettleOutcome.Applied, (await ledger.ReleaseAsync(item, "same-key", cancellationToken: Cancel)).Outcome);
        Assert.Equal(SettleOutcome.Replayed, (await ledger.ReleaseAsync(item, "same-key", cancellationToken: Cancel)).Outcome);
        // Nothing left pending: a later full commit moves nothing.
        Assert.Equal(0, (await ledger.CommitAsync(item, "same-key", cancellationToken: Cancel)).Moved);
        Assert.Equal(new LedgerCounts(3, 1, 0, 0), await CountsAsync(item));
        Assert.Equal(SettleOutcome.UnknownReservation, (await ledger.CommitAsync(item, "never-made", cancellationToken: Cancel)).Outcome);
        Assert.Throws<ArgumentException>(() => { ledger.CommitAsync(item, "same-key", 1, null, Cancel).GetAwaiter().GetResult(); });
    }

    [Fact]
    public async Task SeveralStepsSettleInOneWriteAndEachReplaysOnItsOwn()
    {
        var item = await ItemAsync(10);
        await ledger.ReserveAsync(new(item, 8, "group", "group-key"), Cancel);
        // A chunk's first attempt settled batch 1 before it crashed; its retry settles batches 1–3 at once.
        await ledger.CommitAsync(item, "group-key", 3, "batch-1", Cancel);

        var chunk = await ledger.SettleStepsAsync(item, "group-key",
            [SettleStep.Committed(3, "batch-1"), SettleStep.Committed(2, "batch-2"), SettleStep.Released(1, "batch-2:failed"), SettleStep.Committed(2, "batch-3")], Cancel);
        Assert.Equal((SettleOutcome.Applied, 5), (chunk.Outcome, chunk.Moved));
        Assert.Equal(new LedgerCounts(10, 7, 0, 0), await CountsAsync(item));
        Assert.Equal((7, 1), (chunk.Record!.Committed, chunk.Record.Released));

        var again = await ledger.SettleStepsAsync(item, "group-key", [SettleStep.Committed(2, "batch-2"), SettleStep.Committed(2, "batch-3")], Cancel);
        Assert.Equal(SettleOutcome.Replayed, again.Outcome);
        Assert.Equal(new LedgerCounts(10, 7, 0, 0), await CountsAsync(item));
    }

    [Fact]
    public async Task ExhaustedRequestsWaitInArrivalOrder()
    {
        var item = await ItemAsync(2);
        await ledger.ReserveAsync(new(item, 2, "first", "k1"), Cancel);

        var second = await ledger.ReserveAsync(new(item, 1, "second", "k2"), Cancel);
        var third = await ledger.ReserveAsync(new(item, 3, "third", "k3"), Cancel);
        Assert.Equal((ReservationOutcome.Exhausted, 0, 0), (second.Outcome, second.Granted, second.Available));
        Assert.Equal(ReservationOutcome.Exhausted, third.Outcome);
        Assert.Equal(ReservationOutcome.Exhausted, (await ledger.ReserveAsync(new(item, 1, "second", "k2"), Cancel)).Outcome);

        var waiting = await ledger.GetWaitingAsync(item, Cancel);
        Assert.Equal(["second", "third"], waiting.Select(w => w.Owner));
        Assert.Equal([1, 3], waiting.Select(w => w.Count));
        Assert.True(await ledger.RemoveWaitingAsync(item, waiting[0], Cancel));
        Assert.Single(await ledger.GetWaitingAsync(item, Cancel));
        Assert.Equal(ReservationOutcome.UnknownItem, (await ledger.ReserveAsync(new("vpp-none", 1, "x", "k"), Cancel)).Outcome);
    }

    [Fact]
    public async Task GroupReservationTakesWhatIsLeftFirstComeFirstServed()
    {
        var item = await ItemAsync(10, appleAssigned: 2);
        Assert.Equal(8, (await CountsAsync(item)).Available);
        var members = Enumerable.Range(0, 12).Select(i => LicenseTarget.Device($"SER{i:D3}")).ToList();

        var refused = await ledger.ReserveAsync(new(item, 12, "group-all", "g-all", ReservationMode.AllOrNothing, members), Cancel);
        Assert.Equal((ReservationOutcome.Exhausted, 0), (refused.Outcome, refused.Granted));

        var partly = await ledger.ReserveAsync(new(item, 12, "group", "g", ReservationMode.UpTo, members), Cancel);
        Assert.Equal((ReservationOutcome.PartlyReserved, 8, 4), (partly.Outcome, partly.Granted, partly.Waiting));
        Assert.Equal(new LedgerCounts(10, 0, 8, 2), await CountsAsync(item));
        var targets = new List<LicenseTargetRow>();
        await foreach (var t in ledger.GetTargetsAsync(item, Cancel)) targets.Add(t);
        Assert.Equal(members.Take(8), targets.Where(t => t.State == LicenseState.Reserved).Select(t => t.Target).OrderBy(t => t.Id));
        Assert.Equal(members.Skip(8), targets.Where(t => t.State == LicenseState.Waiting).Select(t => t.Target).OrderBy(t => t.Id));
        // The refused request's waiting rows were there first: the granted request's rows overwrote them.
        Assert.All(targets, t => Assert.Equal(("group", "g"), (t.Owner, t.ReservationKey)));

        // Apple confirmed 7 and refused one serial.
        Assert.Equal(7, (await ledger.CommitAsync(item, "g", 7, "event-1", Cancel)).Moved);
        Assert.Equal(1, (await ledger.ReleaseAsync(item, "g", cancellationToken: Cancel)).Moved);
        await ledger.SetTargetStatesAsync(item, [members[7]], LicenseState.Released, "group", "g", Cancel);
        Assert.Equal(new LedgerCounts(10, 7, 0, 2), await CountsAsync(item));
        Assert.Equal(LicenseState.Released, (await ledger.GetTargetAsync(item, members[7], Cancel))!.State);
    }

    [Fact]
    public async Task LargeGroupReservesInOneWriteAndWritesTargetsInBatches()
    {
        var item = await ItemAsync(1000);
        var members = Enumerable.Range(0, 450).Select(i => LicenseTarget.User($"user-{i}")).ToList();
        var result = await ledger.ReserveAsync(new(item, members.Count, "big-group", "big", ReservationMode.UpTo, members), Cancel);
        Assert.Equal(450, result.Granted);
        var count = 0;
        await foreach (var t in ledger.GetTargetsAsync(item, Cancel)) if (t.State == LicenseState.Reserved) count++;
        Assert.Equal(450, count);

        // A replay adds target rows that are missing and leaves the ones that moved on alone.
        await ledger.SetTargetStatesAsync(item, [members[0]], LicenseState.Committed, "big-group", "big", Cancel);
        Assert.True(await service.GetTableClient(LicenseTargetLayout.TableName(item, members[449]))
            .DeleteEntityAsync(LicenseTargetLayout.PartitionKey(item, members[449]), LicenseTargetLayout.RowKey(members[449]), ETag.All, Cancel));
        var replay = await ledger.ReserveAsync(new(item, members.Count, "big-group", "big", ReservationMode.UpTo, members), Cancel);
        Assert.True(replay.Replayed);
        Assert.Equal(LicenseState.Committed, (await ledger.GetTargetAsync(item, members[0], Cancel))!.State);
        Assert.Equal(LicenseState.Reserved, (await ledger.GetTargetAsync(item, members[449], Cancel))!.State);
        Assert.Equal(450, (await CountsAsync(item)).Reserved);
    }

    [Fact]
    public async Task SettingTargetStatesMergesRowsThatExistAndAddsRowsThatDoNot()
    {
        var item = await ItemAsync(1000);
        var members = Enumerable.Range(0, 300).Select(i => LicenseTarget.Device($"MIX{i:D3}")).ToList();
        await ledger.ReserveAsync(new(item, 150, "group", "mix", ReservationMode.UpTo, [.. members.Where((_, i) => i % 2 == 0)]), Cancel);

        // Half of them exist (reserved), half do not: merges of the existing ones, and transactions that meet a missing row redone as upserts.
        await ledger.SetTargetStatesAsync(item, members, LicenseState.Committed, "group", "mix", Cancel);
        await ledger.SetTargetStatesAsync(item, [LicenseTarget.Device("LONE-MISSING")], LicenseState.Released, "group", "mix", Cancel);

        var rows = new List<LicenseTargetRow>();
        await foreach (var t in ledger.GetTargetsAsync(item, Cancel)) rows.Add(t);
        Assert.Equal(301, rows.Count);
        Assert.Equal(300, rows.Count(t => t.State == LicenseState.Committed && t.Owner == "group" && t.ReservationKey == "mix"));
        Assert.Equal(LicenseState.Released, (await ledger.GetTargetAsync(item, LicenseTarget.Device("LONE-MISSING"), Cancel))!.State);
    }

    [Fact]
    public async Task ClaimsWriteRowsOnceAndLeaveTargetsHeldByAnotherReservationAlone()
    {
        var item = await ItemAsync(1000);
        var devices = Enumerable.Range(0, 250).Select(i => LicenseTarget.Device($"CLM{i:D3}")).ToList();
        // Before the claim: 0–9 committed to another assignment, 10–19 reserved by another, 20–29 released by another, 30–39 claimed by this one already.
        await ledger.SetTargetStatesAsync(item, devices[..10], LicenseState.Committed, "other", "other-key", Cancel);
        await ledger.ReserveAsync(new(item, 10, "direct", "direct-key", ReservationMode.UpTo, devices[10..20]), Cancel);
        await ledger.SetTargetStatesAsync(item, devices[20..30], LicenseState.Released, "gone", "gone-key", Cancel);
        Assert.Empty(await ledger.ClaimTargetsAsync(item, devices[30..40], "group", "group-key", Cancel));

        var held = await ledger.ClaimTargetsAsync(item, devices, "group", "group-key", Cancel);

        Assert.Equal(20, held.Count);
        Assert.All(devices[..10], d => Assert.Equal("other", held[d]));
        Assert.All(devices[10..20], d => Assert.Equal("direct", held[d]));
        var rows = new Dictionary<LicenseTarget, LicenseTargetRow>();
        await foreach (var t in ledger.GetTargetsAsync(item, Cancel)) rows[t.Target] = t;
        Assert.Equal(250, rows.Count);
        Assert.All(devices[..10], d => Assert.Equal((LicenseState.Committed, "other"), (rows[d].State, rows[d].Owner)));
        Assert.All(devices[10..20], d => Assert.Equal((LicenseState.Reserved, "direct"), (rows[d].State, rows[d].Owner)));
        Assert.All(devices[20..], d => Assert.Equal((LicenseState.Committed, "group", "group-key"), (rows[d].State, rows[d].Owner, rows[d].ReservationKey)));

        // A redo after a crash finds its own rows, also one a revocation released since: nothing held, nothing overwritten.
        await ledger.SetTargetStatesAsync(item, [devices[40]], LicenseState.Released, "group", "group-key", Cancel);
        Assert.Equal(20, (await ledger.ClaimTargetsAsync(item, devices, "group", "group-key", Cancel)).Count);
        Assert.Equal(LicenseState.Released, (await ledger.GetTargetAsync(item, devices[40], Cancel))!.State);
    }

    [Fact]
    public async Task TwoHundredRacersOnTwoInstancesForTheLastTenLicenses()
    {
        var item = await ItemAsync(110);
        await ledger.ReserveAsync(new(item, 100, "earlier", "earlier"), Cancel);
        await ledger.CommitAsync(item, "earlier", cancellationToken: Cancel);

        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(i =>
            Task.Run(() => (i % 2 == 0 ? ledger : otherInstance).ReserveAsync(new(item, 1, $"device-{i}", $"race-{i}"), Cancel), Cancel)));

        Assert.Equal(10, results.Count(r => r.Outcome == ReservationOutcome.Reserved));
        Assert.Equal(190, results.Count(r => r.Outcome == ReservationOutcome.Exhausted));
        Assert.Equal(new LedgerCounts(110, 100, 10, 0), await CountsAsync(item));
        Assert.Equal(190, (await ledger.GetWaitingAsync(item, Cancel)).Count);
        var waiters = (await ledger.GetWaitingAsync(item, Cancel)).Select(w => w.RequestedAt).ToList();
        Assert.Equal(waiters.Order(), waiters);
    }

    [Fact]
    public async Task TotalChangesApplyOnceAndNeverGoNegative()
    {
        var item = await ItemAsync(5);
        Assert.Equal(TotalChangeOutcome.Applied, await ledger.ApplyTotalChangeAsync(item, 3, "notification-1", Cancel));
        Assert.Equal(TotalChangeOutcome.Replayed, await ledger.ApplyTotalChangeAsync(item, 3, "notification-1", Cancel));
        Assert.Equal(8, (await CountsAsync(item)).Total);
        Assert.Equal(TotalChangeOutcome.Applied, await ledger.ApplyTotalChangeAsync(item, -20, "notification-2", Cancel));
        Assert.Equal(0, (await CountsAsync(item)).Total);
        Assert.Equal(TotalChangeOutcome.UnknownItem, await ledger.ApplyTotalChangeAsync("vpp-unknown", 1, "n", Cancel));
    }
}
