using ManagedDistribution.Features.LocationTokens;
using ManagedDistribution.Features.Assignments.Members;
using ManagedDistribution.Features.Directory;

namespace ManagedDistribution.Features.Assignments.DeviceGroups;

/// <summary>
/// Device group membership changes (user groups are the users helper's): joined members get
/// every assignment of the group (same flow as at assignment time: rules, one reservation for the
/// joiners in join order, batches inline or as a workflow when many), members that left lose
/// them (<see cref="GroupRevocation"/>: revoked / left-group, license returned or handed over;
/// more than <see cref="GroupRevocation.InlineLimit"/> at once as a <see cref="GroupRevocationWorkflow"/>,
/// keyed by the members, so the same change delivered twice starts it once).
/// Idempotent: members already served are skipped, members already revoked are left alone.
/// </summary>
public sealed class GroupMembershipListener(
    AssignmentStore store, GroupContexts contexts, GroupLicensing licensing, GroupRevocation revocation,
    GroupRevocationWorkflow revocationWorkflow, AppleDeviceLicenses apple, TimeProvider time, ILogger<GroupMembershipListener> logger) : IGroupMembershipListener
{
    public async Task MembersChangedAsync(GroupMembershipChange change, CancellationToken cancellationToken)
    {
        if (change.Kind != GroupKind.Device || (change.Joined.Count == 0 && change.Left.Count == 0)) return;
        foreach (var row in await store.ListAsync(TargetKinds.DeviceGroup, change.GroupId, cancellationToken))
        {
            if (row.GetString("State") != GroupAssignmentStates.Active) continue;
            if (await contexts.LoadAsync(change.GroupId, row.RowKey, cancellationToken) is not { } context) continue;
            var rows = await revocation.MemberRowsAsync(context, [.. change.Joined, .. change.Left], cancellationToken);
            var joining = change.Joined.Where(id => rows.GetValueOrDefault(id) is not { State: MemberStates.Licensed or MemberStates.Installed }).ToList();
            if (joining.Count > 0 && (!context.NeedsLicense || context.Token?.Health.AllowsWrites() == true))
                await licensing.ServeAsync(context, joining, $"{context.AssignmentId}:{time.GetUtcNow().UtcTicks}", fromWaitingList: false, cancellationToken);
            var leaving = change.Left.Select(id => rows.GetValueOrDefault(id)).OfType<AssignmentMember>().Where(m => m.State != MemberStates.Revoked).ToList();
            if (leaving.Count > GroupRevocation.InlineLimit)
            {
                // Many at once (a CSV import replacing the membership): a workflow, not this call.
                var batchSize = context.NeedsLicense ? await apple.MaxSerialsAsync(cancellationToken) : int.MaxValue;
                var workflow = await revocationWorkflow.StartAsync(context, leaving,
                    GroupRevocationWorkflow.LeaveKey(context, leaving.Select(m => m.MemberId), time.GetUtcNow()), batchSize, cancellationToken);
                logger.LogInformation("{Count} devices left device group {GroupId}: {ContentId} revoked by workflow {WorkflowId}",
                    leaving.Count, change.GroupId, context.ContentId, workflow.Id);
            }
            else if (leaving.Count > 0 && (!context.NeedsLicense || context.Token?.Health.AllowsWrites() == true))
            {
                var outcome = await revocation.RevokeAsync(context, leaving, MemberReasons.LeftGroup, cancellationToken);
                logger.LogInformation("{Count} devices left device group {GroupId}: {ContentId} revoked ({Returned} returned, {HandedOver} handed over)",
                    leaving.Count, change.GroupId, context.ContentId, outcome.Returned, outcome.HandedOver);
            }
        }
    }
}
