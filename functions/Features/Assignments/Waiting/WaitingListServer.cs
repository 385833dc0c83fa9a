using ManagedDistribution.Features.Licenses;

namespace ManagedDistribution.Features.Assignments.Waiting;

/// <summary>
/// Serves an item's waiting list (R17) when its licenses free up: after a release or return in
/// assignment code, an ASSET_COUNT increase, or reconciliation. Entries are read in
/// first-come-first-served order and handed to the <see cref="IWaitingAssignmentServer"/> of the
/// owner's target kind; an entry is removed once its assignment waits no more. Stops at the
/// first entry that could not be served whole (later ones must not overtake it) or when no
/// license is left. Nested calls (a serve whose Apple refusals free licenses again) return at
/// once: the outer pass goes on with the list.
/// </summary>
public sealed class WaitingListServer(IServiceProvider services, LicenseLedger ledger, ILogger<WaitingListServer> logger)
{
    static readonly AsyncLocal<bool> serving = new();

    public async Task ServeAsync(string contentId, CancellationToken cancellationToken)
    {
        if (serving.Value) return;
        serving.Value = true;
        try
        {
            // Resolved per call: the servers depend on assignment services that depend on this one.
            var servers = services.GetServices<IWaitingAssignmentServer>().ToList();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var entry in await ledger.GetWaitingAsync(contentId, cancellationToken))
            {
                if ((await ledger.GetAsync(contentId, cancellationToken))?.Counts.Available is not > 0) break;
                var kind = entry.Owner.Split(':')[0];
                if (servers.FirstOrDefault(s => s.TargetKind == kind) is not { } server) continue;
                var remaining = seen.Add(entry.Owner) ? await server.ServeWaitingAsync(entry.Owner, contentId, cancellationToken) : 0;
                if (remaining == 0) await ledger.RemoveWaitingAsync(contentId, entry, cancellationToken);
                logger.LogInformation("Waiting list of {ContentId}: {Owner} served, {Remaining} still waiting", contentId, entry.Owner, remaining);
                if (remaining > 0) break;
            }
        }
        finally
        {
            serving.Value = false;
        }
    }
}
