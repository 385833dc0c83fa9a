using ManagedDistribution.Features.AppsAndBooks;
using ManagedDistribution.Features.AppsAndBooks.Models;
using ManagedDistribution.Features.Licenses;
using Microsoft.Extensions.Options;

namespace ManagedDistribution.Features.Reconciliation;

/// <summary>
/// What reconciliation changes: lost licenses re-associated at Apple, orphans disassociated (only
/// with <see cref="ReconciliationOptions.ReleaseOrphans"/>), stale reservations committed or released.
/// Apple's writes are confirmed by waiting (bounded) for their events; a target Apple names in
/// a failure, or an event that does not finish in time, counts as not repaired.
/// </summary>
internal sealed class DriftRepairs(AppsAndBooksClient apple, LicenseLedger ledger, IOptions<ReconciliationOptions> options, ILogger<DriftRepairs> logger)
{
    /// <summary>Associates (or disassociates) one asset with targets; returns the target keys Apple confirmed.</summary>
    public async Task<IReadOnlySet<string>> ManageAsync(LocationToken token, AssetKey asset, IReadOnlyCollection<(string Kind, string Id)> targets,
        bool associate, CancellationToken cancellationToken)
    {
        var serials = targets.Where(t => t.Kind == TargetKinds.Device).Select(t => t.Id).ToList();
        var users = targets.Where(t => t.Kind == TargetKinds.User).Select(t => t.Id).ToList();
        var confirmed = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            var events = associate
                ? await apple.AssociateAsync(token, [asset], users, serials, cancellationToken)
                : await apple.DisassociateAsync(token, [asset], users, serials, cancellationToken);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            wait.CancelAfter(options.Value.RepairEventWait);
            var failed = new HashSet<string>(StringComparer.Ordinal);
            foreach (var eventId in events)
            {
                var status = await apple.WaitForEventAsync(token, eventId, wait.Token);
                foreach (var f in status.FailedIdentifiers())
                {
                    if (f.SerialNumber is { } s) failed.Add(TargetKinds.Device + "|" + s);
                    else if (f.ClientUserId is { } u) failed.Add(TargetKinds.User + "|" + u);
                    else return confirmed; // a failure naming no target: nothing is known to be done
                }
            }
            confirmed.UnionWith(targets.Select(t => t.Kind + "|" + t.Id).Where(k => !failed.Contains(k)));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("Reconciliation: Apple's events for {AdamId} did not finish within {Wait}", asset.AdamId, options.Value.RepairEventWait);
        }
        catch (AppsAndBooksException e)
        {
            logger.LogWarning("Reconciliation: Apple refused to {Action} {AdamId}: {Status}/{ErrorNumber}",
                associate ? "associate" : "disassociate", asset.AdamId, e.Status, e.ErrorNumber);
        }
        return confirmed;
    }

    /// <summary>
    /// Settles a reservation left pending: its reserved targets that Apple has are committed, and so
    /// are target rows already marked committed whose count never moved (a crash between the two
    /// writes); the rest of it is released. Step keys carry the run id, so a redelivered run does
    /// not settle twice.
    /// </summary>
    public async Task<StaleReservationDrift> ResolveStaleAsync(string runId, string contentId, ReservationRecord record,
        IReadOnlyList<OurTarget> reserved, int committedRows, Func<OurTarget, bool> atApple, CancellationToken cancellationToken)
    {
        var have = reserved.Where(atApple).ToList();
        var toCommit = have.Count + Math.Max(0, committedRows - record.Held);
        var committed = 0;
        if (toCommit > 0)
            committed = (await ledger.CommitAsync(contentId, record.IdempotencyKey, toCommit, $"reconcile:{runId}:commit", cancellationToken)).Moved;
        if (have.Count > 0)
        {
            await ledger.SetTargetStatesAsync(contentId, have.Select(t => t.ToLicenseTarget()), LicenseState.Committed, record.Owner,
                record.IdempotencyKey, cancellationToken);
        }
        var released = (await ledger.ReleaseAsync(contentId, record.IdempotencyKey, record.Pending, $"reconcile:{runId}:release", cancellationToken)).Moved;
        var missing = reserved.Where(t => !atApple(t)).Select(t => t.ToLicenseTarget()).ToList();
        if (missing.Count > 0)
            await ledger.SetTargetStatesAsync(contentId, missing, LicenseState.Released, record.Owner, record.IdempotencyKey, cancellationToken);
        logger.LogInformation("Reconciliation {RunId}: stale reservation of {ContentId} for {Owner}: {Committed} committed, {Released} released",
            runId, contentId, record.Owner, committed, released);
        return new StaleReservationDrift(contentId, record.IdempotencyKey, record.Owner, committed, released);
    }
}
