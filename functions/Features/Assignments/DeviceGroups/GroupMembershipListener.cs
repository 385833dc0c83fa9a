using ManagedDistribution.Features.LocationTokens;
using ManagedDistribution.Features.Assignments.Members;
using ManagedDistribution.Features.Directory;

namespace ManagedDistribution.Features.Assignments.DeviceGroups;

/// <summary>
/// Device group membership changes (user groups are the users helper's): joined members get
/// every assignment of the group (same flow as at assignment time: rules, one reservation for the
/// joiners in join order, batches inline or as a workflow when many), members that left lose
/// them (<see cref="GroupRevocation"/>: revoked / left-group, license returned or handed over).
/// Idempotent: members already served are skipped, members already revoked are left alone.
/// </summary>
public sealed class GroupMembershipListener(
    AssignmentStore store, AssignmentMemberStore members, GroupContexts contexts, GroupLicensing licensing, GroupRevocation revocation,
    TimeProvider time, ILogger<GroupMembershipListener> logger) : IGroupMembershipListener
{
    public async Task MembersChangedAsync(GroupMembershipChange change, CancellationToken cancellationToken)
    {
        if (change.Kind != GroupKind.Device || (change.Joined.Count == 0 && change.Left.Count == 0)) return;
        foreach (var row in await store.ListAsync(TargetKinds.DeviceGroup, change.GroupId, cancellationToken))
        {
            if (row.GetString("State") != GroupAssignmentStates.Active) continue;
            if (await contexts.LoadAsync(change.GroupId, row.RowKey, cancellationToken) is not { } context) continue;
            var rows = await RowsAsync(context, [.. change.Joined, .. change.Left], cancellationToken);
            var joining = change.Joined.Where(id => rows.GetValueOrDefault(id) is not { State: MemberStates.Licensed or MemberStates.Installed }).ToList();
            if (joining.Count > 0 && (!context.NeedsLicense || context.Token?.Health.AllowsWrites() == true))
                await licensing.ServeAsync(context, joining, $"{context.AssignmentId}:{time.GetUtcNow().UtcTicks}", fromWaitingList: false, cancellationToken);
            var leaving = change.Left.Select(id => rows.GetValueOrDefault(id)).OfType<AssignmentMember>().ToList();
            if (leaving.Count > 0 && (!context.NeedsLicense || context.Token?.Health.AllowsWrites() == true))
            {
                var outcome = await revocation.RevokeAsync(context, leaving, MemberReasons.LeftGroup, cancellationToken);
                logger.LogInformation("{Count} devices left device group {GroupId}: {ContentId} revoked ({Returned} returned, {HandedOver} handed over)",
                    leaving.Count, change.GroupId, context.ContentId, outcome.Returned, outcome.HandedOver);
            }
        }
    }

    /// <summary>The member rows of these ids (point reads for a few, one partition scan for many).</summary>
    async Task<Dictionary<string, AssignmentMember>> RowsAsync(GroupContext context, IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        var found = new System.Collections.Concurrent.ConcurrentDictionary<string, AssignmentMember>(StringComparer.Ordinal);
        if (ids.Count <= GroupMembers.PointReadLimit)
            await Platform.Storage.TableBulk.ForEachAsync(ids.Distinct(StringComparer.Ordinal), async (id, ct) =>
            {
                if (await members.GetAsync(TargetKinds.DeviceGroup, context.GroupId, context.ContentId, id, ct) is { } m) found[id] = m;
            }, cancellationToken);
        else
        {
            var wanted = ids.ToHashSet(StringComparer.Ordinal);
            await foreach (var m in members.AllAsync(TargetKinds.DeviceGroup, context.GroupId, context.ContentId, cancellationToken: cancellationToken))
                if (wanted.Contains(m.MemberId)) found[m.MemberId] = m;
        }
        return new(found, StringComparer.Ordinal);
    }
}
