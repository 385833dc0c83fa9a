using ManagedDistribution.Features.Assignments.Members;
using ManagedDistribution.Features.Directory;
using ManagedDistribution.Platform.Http;

namespace ManagedDistribution.Features.Assignments.Users;

public sealed partial class UserGroupAssignments
{
    /// <summary>
    /// Deletes a group assignment. Purchased books that any member holds → 409 irrevocable (R2).
    /// Purchased apps are disassociated and returned for every licensed member who does not keep
    /// them through another assignment; Apple refusing some → 424 (the others are revoked, the
    /// assignment stays so the admin can retry). Null when done.
    /// </summary>
    public async Task<Refusal?> RevokeAsync(string groupId, string contentId, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(TargetKinds.UserGroup, groupId, contentId, cancellationToken) is not { } row)
            return new(ProblemCodes.NotFound, "The user group has no assignment of that content.");
        var all = new List<AssignmentMember>();
        await foreach (var m in members.AllAsync(TargetKinds.UserGroup, groupId, contentId, cancellationToken: cancellationToken)) all.Add(m);
        if (UserLicensing.KindOfRow(row) == ContentKind.VppBook && all.Any(m => m.State is MemberStates.Licensed or MemberStates.Installed))
            return new(ProblemCodes.Irrevocable, "Purchased books can never be revoked (R2): members keep the book's license.");
        var refused = await TakeAwayAsync(row, [.. all.Where(m => m.State != MemberStates.Revoked)], MemberReasons.AssignmentDeleted, cancellationToken);
        if (refused.Count > 0)
            return new(DeviceAssignments.AppleRefused, $"Apple refused to take the app from {refused.Count} members, e.g. {refused.First().Value}");
        await WithdrawWaitingAsync(contentId, row.GetString("AssignmentId")!, cancellationToken);
        await members.DeleteAllAsync(TargetKinds.UserGroup, groupId, contentId, cancellationToken);
        await store.DeleteAsync(TargetKinds.UserGroup, groupId, contentId, cancellationToken);
        logger.LogInformation("Revoked {ContentId} from user group {GroupId}", contentId, groupId);
        return null;
    }

    /// <summary>A member enrolled: the user's rows waiting for that (missing, user-not-enrolled, user-retired) in each of their groups are served.</summary>
    internal async Task UserEnrolledAsync(string userId, CancellationToken cancellationToken)
    {
        foreach (var group in await Memberships.GroupsOfMemberAsync(GroupKind.User, userId, cancellationToken))
            foreach (var row in await store.ListAsync(TargetKinds.UserGroup, group.GroupId, cancellationToken))
            {
                var member = await members.GetAsync(TargetKinds.UserGroup, group.GroupId, row.RowKey, userId, cancellationToken);
                if (member is not (null or { Reason: MemberReasons.UserNotEnrolled or UserLicensing.UserRetired })) continue;
                if (await reader.ReadForRowAsync(row, cancellationToken) is { IsPurchased: true } content && UserContentReader.TokenRefusal(content.Token) is null)
                    await ServeMembersAsync(row, content, [userId], null, cancellationToken);
            }
    }

    /// <summary>A member was retired: Apple released their app licenses; they are returned and the members revoked / user-retired. Books stay.</summary>
    internal async Task UserRetiredAsync(string userId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        foreach (var group in await Memberships.GroupsOfMemberAsync(GroupKind.User, userId, cancellationToken))
            foreach (var row in await store.ListAsync(TargetKinds.UserGroup, group.GroupId, cancellationToken))
            {
                if (UserLicensing.KindOfRow(row) != ContentKind.VppApp) continue;
                var member = await members.GetAsync(TargetKinds.UserGroup, group.GroupId, row.RowKey, userId, cancellationToken);
                if (member is not { State: MemberStates.Licensed or MemberStates.Installed or MemberStates.Pending }
                    || member.Reason == MemberReasons.UserNotEnrolled) continue;
                await revoker.ReturnAsync(row.RowKey, [userId], $"retire:{userId}", cancellationToken);
                await members.SaveManyAsync([member with
                {
                    State = MemberStates.Revoked, Reason = UserLicensing.UserRetired, UpdatedAt = now,
                    Detail = "The user was retired from managed distribution: Apple released the license.",
                }], cancellationToken);
                await RefreshStateAsync(row, cancellationToken);
            }
    }

    /// <summary>
    /// Serves the members waiting for a license (pending / no-license-left) with a new reservation;
    /// the assignment's older waiting entries are withdrawn first so that at most one (the new
    /// reservation's shortfall) remains. Returns how many still wait.
    /// </summary>
    internal async Task<int> ServeWaitingAsync(string groupId, string contentId, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(TargetKinds.UserGroup, groupId, contentId, cancellationToken) is not { } row) return 0;
        var waiting = new List<string>();
        await foreach (var m in members.AllAsync(TargetKinds.UserGroup, groupId, contentId, MemberStates.Pending, cancellationToken))
            if (m.Reason == MemberReasons.NoLicense) waiting.Add(m.MemberId);
        await WithdrawWaitingAsync(contentId, row.GetString("AssignmentId")!, cancellationToken);
        if (waiting.Count == 0 || await reader.ReadForRowAsync(row, cancellationToken) is not { } content
            || UserContentReader.TokenRefusal(content.Token) is not null) return waiting.Count;
        await ServeMembersAsync(row, content, waiting, null, cancellationToken);
        var still = 0;
        await foreach (var m in members.AllAsync(TargetKinds.UserGroup, groupId, contentId, MemberStates.Pending, cancellationToken))
            if (m.Reason == MemberReasons.NoLicense) still++;
        return still;
    }

    async Task WithdrawWaitingAsync(string contentId, string owner, CancellationToken cancellationToken)
    {
        foreach (var entry in await ledger.GetWaitingAsync(contentId, cancellationToken))
            if (entry.Owner == owner) await ledger.RemoveWaitingAsync(contentId, entry, cancellationToken);
    }
}
