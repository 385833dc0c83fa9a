using ManagedDistribution.Features.LocationTokens;
using ManagedDistribution.Features.Assignments.Members;

namespace ManagedDistribution.Features.Assignments.DeviceGroups;

/// <summary>
/// Serves a device group assignment's waiting members (pending, no license left) in join order:
/// a new reservation for them (a new key: the ledger answers a replayed key with its first
/// answer), then the same licensing as at assignment time. Returns how many still wait.
/// </summary>
public sealed class GroupWaitingServer(GroupContexts contexts, AssignmentMemberStore members, GroupLicensing licensing, TimeProvider time)
    : IWaitingAssignmentServer
{
    public string TargetKind => TargetKinds.DeviceGroup;

    public async Task<int> ServeWaitingAsync(string assignmentId, string contentId, CancellationToken cancellationToken)
    {
        if (GroupContext.ParseAssignmentId(assignmentId) is not { } ids) return 0;
        if (await contexts.LoadAsync(ids.GroupId, ids.ContentId, cancellationToken) is not { } context) return 0;
        if (context.Row.GetString("State") == GroupAssignmentStates.Revoking) return 0; // being revoked: nobody is served any more
        if (context.Token?.Health.AllowsWrites() != true) return await WaitingCountAsync(context, cancellationToken);
        var waiting = new List<string>();
        await foreach (var member in members.AllAsync(TargetKinds.DeviceGroup, ids.GroupId, ids.ContentId, MemberStates.Pending, cancellationToken))
            if (member.Reason == MemberReasons.NoLicense) waiting.Add(member.MemberId);
        if (waiting.Count == 0) return 0;
        var served = await licensing.ServeAsync(context, waiting, $"{assignmentId}:{time.GetUtcNow().UtcTicks}", fromWaitingList: true, cancellationToken);
        return served.Refusal is null ? served.Waiting : waiting.Count;
    }

    async Task<int> WaitingCountAsync(GroupContext context, CancellationToken cancellationToken)
    {
        var count = 0;
        await foreach (var member in members.AllAsync(TargetKinds.DeviceGroup, context.GroupId, context.ContentId, MemberStates.Pending, cancellationToken))
            if (member.Reason == MemberReasons.NoLicense) count++;
        return count;
    }
}
