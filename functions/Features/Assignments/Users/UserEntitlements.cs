using ManagedDistribution.Features.Directory;
using ManagedDistribution.Features.Licenses;
using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Assignments.Users;

/// <summary>
/// Whether a user still has an item through another assignment (direct or another user group),
/// so that revoking one assignment does not take away a license the user keeps through another;
/// the license's row then moves to that other assignment (same reservation, new owner).
/// </summary>
public sealed class UserEntitlements(AssignmentStore store, IServiceProvider services, LicenseLedger ledger)
{
    // Resolved on use: MembershipStore is built with the membership listeners, and this feature is one of them.
    MembershipStore Memberships => services.GetRequiredService<MembershipStore>();

    /// <summary>The id of another live assignment giving the user this item, or null.</summary>
    public async Task<string?> OtherAssignmentAsync(string userId, string contentId, string exceptAssignmentId, CancellationToken cancellationToken)
    {
        var direct = await store.GetAsync(TargetKinds.User, userId, contentId, cancellationToken);
        if (direct is not null && direct.GetString("AssignmentId") != exceptAssignmentId
            && direct.GetString("State") is not (AssignmentStates.Failed or AssignmentStates.Revoked))
            return direct.GetString("AssignmentId");
        foreach (var group in await Memberships.GroupsOfMemberAsync(GroupKind.User, userId, cancellationToken))
        {
            var row = await store.GetAsync(TargetKinds.UserGroup, group.GroupId, contentId, cancellationToken);
            if (row?.GetString("AssignmentId") is { } id && id != exceptAssignmentId) return id;
        }
        return null;
    }

    /// <summary>
    /// Every assignment that reaches the user: direct ones (<c>GroupId</c> null), then those of the
    /// user's groups (the member row is read by the caller under <c>GroupId</c>).
    /// </summary>
    public async IAsyncEnumerable<(TableEntity Assignment, string? GroupId)> AssignmentsOfAsync(string userId,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var row in await store.ListAsync(TargetKinds.User, userId, cancellationToken)) yield return (row, null);
        foreach (var group in await Memberships.GroupsOfMemberAsync(GroupKind.User, userId, cancellationToken))
            foreach (var row in await store.ListAsync(TargetKinds.UserGroup, group.GroupId, cancellationToken)) yield return (row, group.GroupId);
    }

    /// <summary>Hands the user's committed license over to <paramref name="newOwner"/> (no count moves).</summary>
    public async Task TransferAsync(string userId, string contentId, string newOwner, CancellationToken cancellationToken)
    {
        var target = LicenseTarget.User(userId);
        if (await ledger.GetTargetAsync(contentId, target, cancellationToken) is { State: LicenseState.Committed } row)
            await ledger.SetTargetStatesAsync(contentId, [target], LicenseState.Committed, newOwner, row.ReservationKey, cancellationToken);
    }
}
