namespace ManagedDistribution.Features.Assignments;

/// <summary>
/// Serves one target kind's waiting list entries (R17) when licenses of an item free up (a
/// release, a return, an ASSET_COUNT increase, reconciliation). The ledger's waiting entries are
/// read in first-come-first-served order and each is handed to the server whose
/// <see cref="TargetKind"/> is the first segment of the entry's owner
/// (<c>{kind}:{targetId}:{contentId}</c>, <see cref="AssignmentStore.AssignmentId"/>).
/// </summary>
public interface IWaitingAssignmentServer
{
    /// <summary>A <see cref="TargetKinds"/> value.</summary>
    string TargetKind { get; }

    /// <summary>
    /// Tries again to license the assignment's waiting targets (reserve with a new idempotency key,
    /// associate, commit, deliver). Returns how many targets still wait afterwards (0 = served whole).
    /// </summary>
    Task<int> ServeWaitingAsync(string assignmentId, string contentId, CancellationToken cancellationToken);
}
