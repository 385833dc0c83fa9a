using ManagedDistribution.Features.AppsAndBooks;
using ManagedDistribution.Features.AppsAndBooks.Models;
using ManagedDistribution.Features.Assignments.Waiting;
using ManagedDistribution.Features.Licenses;

namespace ManagedDistribution.Features.Reconciliation;

/// <summary>Everything one item's comparison needs from its location's run.</summary>
internal sealed record ItemContext(
    string RunId, string LocationUId, LocationToken Token, bool AllowsWrites, bool MayReleaseOrphans, Asset Asset, LedgerEntry Ledger,
    IReadOnlySet<string> RetiredUsers, DriftCollector Drift, DateTimeOffset StaleBefore, bool HasStaleReservations)
{
    public string ContentId => Ledger.ContentId;

    /// <summary>Full runs: the item's target-row stamp as read before any of its rows (null: nothing is verified or recorded).</summary>
    public TargetsChange? Stamp { get; init; }

    /// <summary>Full runs: what an earlier full comparison found equal to Apple, if anything.</summary>
    public VerifiedItem? Verified { get; init; }

    /// <summary>Stamps written before this cannot belong to a write still in progress.</summary>
    public DateTimeOffset SettledBefore { get; init; }

    /// <summary>Where an item found equal to Apple is recorded as verified.</summary>
    public System.Collections.Concurrent.ConcurrentBag<VerifiedItem>? NewlyVerified { get; init; }
}

/// <summary>
/// Compares one item's licenses at Apple with our ledger's target rows. In full: committed rows
/// Apple lacks are <b>lost</b> (re-associated), Apple's assignments without a committed or reserved
/// row of ours are <b>orphans</b> (reported; released only when allowed), pending reservations
/// older than the stale age are settled. From an incremental read only the changed assignments
/// are known, so lost licenses cannot be seen directly: an item whose Apple count is not ours +
/// known orphans + what changed is compared in full (with a Get Assignments filtered by adamId).
/// Returns the item's orphan count after repairs.
/// </summary>
internal sealed class ItemReconciler(LedgerPartitionScan scan, DriftRepairs repairs, LicenseLedger ledger, AppsAndBooksClient apple, WaitingListServer waiting)
{
    public async Task<int> CompareFullAsync(ItemContext c, AppleItemAssignments? atApple, CancellationToken cancellationToken)
    {
        atApple ??= new AppleItemAssignments();
        if (c.Stamp is { } stamp && c.Verified is { } verified && verified.Stamp == stamp.Stamp && !c.HasStaleReservations
            && verified.Committed == TargetDigest.Of(atApple))
        {
            // Our target rows have not changed since they were found equal to Apple's, and Apple's set is the same.
            ReportRetiredAndDuplicates(c, atApple);
            c.Drift.VerifiedUnchanged();
            return await RepairAndReportAsync(c, [], [], verified.Committed.Count, knownOrphans: 0, comparedInFull: true, ledgerMoved: false,
                cancellationToken);
        }
        // Only reservations older than StaleBefore are resolved below, and the location's one query for
        // those found none for an item without HasStaleReservations: its records need not be read.
        var (pending, targets) = await scan.ReadAsync(c.ContentId, reservations: c.HasStaleReservations, cancellationToken);
        ReportRetiredAndDuplicates(c, atApple);
        List<(string Kind, string Id)> lost = [];
        var reservedAtApple = new HashSet<string>(StringComparer.Ordinal);
        var committed = 0;
        var digest = default(TargetDigest);
        foreach (var t in targets)
        {
            if (t.State == LicenseState.Committed)
            {
                committed++;
                digest = digest.With(t.Kind, t.Id);
                if (!atApple.Remove(t.Kind, t.Id)) lost.Add((t.Kind, t.Id));
            }
            else if (t.State == LicenseState.Reserved && atApple.Remove(t.Kind, t.Id)) reservedAtApple.Add(t.Key);
        }
        List<(string Kind, string Id)> orphans =
            [.. atApple.Devices.Select(d => (TargetKinds.Device, d)), .. atApple.Users.Select(u => (TargetKinds.User, u))];
        var stale = await ResolveStaleAsync(c, pending, targets, reservedAtApple, cancellationToken);
        if (lost.Count == 0 && orphans.Count == 0 && reservedAtApple.Count == 0 && stale.Resolved == 0
            && c.Stamp is { } read && read.ChangedAt < c.SettledBefore)
            c.NewlyVerified?.Add(new VerifiedItem(c.ContentId, read.Stamp, digest));
        return await RepairAndReportAsync(c, lost, orphans, committed + stale.Committed, knownOrphans: 0, comparedInFull: true,
            ledgerMoved: stale.Resolved > 0, cancellationToken);
    }

    public async Task<int> CompareChangesAsync(ItemContext c, AppleItemAssignments? changed, int knownOrphans, CancellationToken cancellationToken)
    {
        List<(string Kind, string Id)> changedTargets = changed is null ? []
            : [.. changed.Devices.Select(d => (TargetKinds.Device, d)), .. changed.Users.Select(u => (TargetKinds.User, u))];
        var ours = changedTargets.Count == 0 ? [] : await scan.GetAsync(c.ContentId, changedTargets, cancellationToken);
        var newOrphans = changedTargets.Where(t => !ours.TryGetValue(t.Kind + "|" + t.Id, out var o)
            || o.State is not (LicenseState.Committed or LicenseState.Reserved)).ToList();
        var inFlight = ours.Values.Count(o => o.State == LicenseState.Reserved);
        var expected = c.Ledger.Counts.Assigned + knownOrphans + newOrphans.Count + inFlight;
        if (c.HasStaleReservations || c.Asset.AssignedCount != expected)
        {
            var filter = new AssignmentFilter { AdamId = c.Asset.AdamId, PricingParam = c.Asset.PricingParam };
            var item = await AppleSnapshot.ReadAsync(apple, c.Token, filter, null, cancellationToken);
            return await CompareFullAsync(c, item.For(c.Asset.Key), cancellationToken);
        }
        if (changed is not null) ReportRetiredAndDuplicates(c, changed);
        return await RepairAndReportAsync(c, [], newOrphans, c.Ledger.Counts.Assigned, knownOrphans, comparedInFull: false, ledgerMoved: false,
            cancellationToken);
    }

    async Task<(int Committed, int Resolved)> ResolveStaleAsync(ItemContext c, List<ReservationRecord> pending, List<OurTarget> targets,
        HashSet<string> reservedAtApple, CancellationToken cancellationToken)
    {
        var (committed, resolvedCount) = (0, 0);
        foreach (var record in pending.Where(r => r.RequestedAt < c.StaleBefore))
        {
            var mine = targets.Where(t => t.ReservationKey == record.IdempotencyKey).ToList();
            var reserved = mine.Where(t => t.State == LicenseState.Reserved).ToList();
            var committedRows = mine.Count(t => t.State == LicenseState.Committed);
            var resolved = await repairs.ResolveStaleAsync(c.RunId, c.ContentId, record, reserved, committedRows,
                t => reservedAtApple.Contains(t.Key), cancellationToken);
            committed += reserved.Count(t => reservedAtApple.Contains(t.Key));
            c.Drift.Stale(resolved);
            resolvedCount++;
        }
        return (committed, resolvedCount);
    }

    async Task<int> RepairAndReportAsync(ItemContext c, List<(string Kind, string Id)> lost, List<(string Kind, string Id)> orphans,
        int ourCommitted, int knownOrphans, bool comparedInFull, bool ledgerMoved, CancellationToken cancellationToken)
    {
        foreach (var (kind, id) in lost) c.Drift.Lost(Drift(c, kind, id));
        foreach (var (kind, id) in orphans) c.Drift.Orphan(Drift(c, kind, id));
        var reassociated = 0;
        if (lost.Count > 0 && c.AllowsWrites)
        {
            var done = await repairs.ManageAsync(c.Token, c.Asset.Key, lost, associate: true, cancellationToken);
            reassociated = done.Count;
            c.Drift.MarkRepaired(lostList: true, c.ContentId, done);
        }
        var released = 0;
        // Not while licenses of the item are in flight: a device group's reservation is a count, and its
        // devices are associated at Apple before their target rows are written (LicenseBatch).
        if (orphans.Count > 0 && c.MayReleaseOrphans && c.Asset.Revocable && c.Ledger.Counts.Reserved == 0)
        {
            var done = await repairs.ManageAsync(c.Token, c.Asset.Key, orphans, associate: false, cancellationToken);
            released = done.Count;
            c.Drift.MarkRepaired(lostList: false, c.ContentId, done);
        }
        c.Drift.Repaired(reassociated, released);
        var entry = c.Ledger;
        if (reassociated + released > 0 || ledgerMoved)
            // Apple's count after the repairs against our count after settling: External becomes the orphans that are left.
            entry = await ledger.SyncFromAppleAsync(c.ContentId, new AppleCounts(c.LocationUId, c.Asset.AdamId, c.Asset.PricingParam,
                c.Asset.TotalCount, Math.Max(0, c.Asset.AssignedCount + reassociated - released)), cancellationToken);
        if ((released > 0 || ledgerMoved) && entry.Counts.Available > 0) await waiting.ServeAsync(c.ContentId, cancellationToken); // R17
        var orphanCount = knownOrphans + orphans.Count;
        c.Drift.Item(new ItemDrift(c.ContentId, c.Asset.AdamId, c.Asset.PricingParam, c.Asset.TotalCount, c.Asset.AssignedCount, ourCommitted,
            entry.Counts.Assigned, entry.Counts.External, orphanCount, lost.Count, c.Asset.AssignedCount - ourCommitted, comparedInFull));
        return orphanCount - released;
    }

    static void ReportRetiredAndDuplicates(ItemContext c, AppleItemAssignments atApple)
    {
        foreach (var (kind, id) in atApple.Duplicates) c.Drift.Duplicate(Drift(c, kind, id));
        var (small, large) = c.RetiredUsers.Count <= atApple.Users.Count
            ? ((IEnumerable<string>)c.RetiredUsers, (IReadOnlySet<string>)atApple.Users) : (atApple.Users, c.RetiredUsers);
        foreach (var user in small)
            if (large.Contains(user)) c.Drift.RetiredHolder(Drift(c, TargetKinds.User, user));
    }

    static TargetDrift Drift(ItemContext c, string kind, string id) => new(c.ContentId, c.Asset.AdamId, kind, id);
}
