using ManagedDistribution.Features.Assignments.Members;

namespace ManagedDistribution.Features.Assignments.DeviceGroups;

/// <summary>
/// Devices that left the group while their licenses were being handed out. The leave
/// (<see cref="GroupMembershipListener"/>) revokes what it finds in the member rows, and licensing
/// writes those rows last: a device that left in between kept its license and its install. So
/// licensing looks at the membership again once its rows are written and revokes (left-group) the
/// devices it no longer finds. Either the leave sees the row or this check sees the leave; when
/// both do, the second revocation skips the members the first revoked. Reading the membership
/// again is skipped when the group's <see cref="GroupMembers.MembershipVersionAsync"/> is still the
/// one read before the licensed members were: a leave deletes member rows, then writes the group
/// row, then tells the listener, so a leave of one of them that has not changed the version yet
/// tells the listener after these rows were written, and the listener sees them (a 50,000-device
/// group read its 50,000 member keys once per 10,000-device chunk).
/// </summary>
public sealed class DepartedMembers(
    GroupMembers groupMembers, GroupRevocation revocation, GroupRevocationWorkflow revocationWorkflow, AppleDeviceLicenses apple,
    ILogger<DepartedMembers> logger)
{
    /// <summary>
    /// Revokes those of <paramref name="licensed"/> (device ids whose member rows were just written)
    /// that are no longer members. <paramref name="stepKey"/> is the same on every attempt of the
    /// same licensing work, so a redo returns nothing twice; more than
    /// <see cref="GroupRevocation.InlineLimit"/> go to a revocation workflow keyed by them and
    /// <paramref name="raisedAt"/>. Returns how many were revoked (or handed to the workflow).
    /// </summary>
    /// <param name="membershipVersion">The group's membership version read before <paramref name="licensed"/> were read from the group; null: unknown.</param>
    public async Task<int> RevokeAsync(GroupContext context, IReadOnlyCollection<string> licensed, string stepKey, DateTimeOffset raisedAt,
        string? membershipVersion, CancellationToken cancellationToken)
    {
        if (licensed.Count == 0) return 0;
        if (membershipVersion is not null && await groupMembers.MembershipVersionAsync(context.GroupId, cancellationToken) == membershipVersion) return 0;
        var current = await groupMembers.MembersAmongAsync(context.GroupId, licensed, cancellationToken);
        var gone = licensed.Where(id => !current.Contains(id)).ToList();
        if (gone.Count == 0) return 0;
        var live = (await revocation.MemberRowsAsync(context, gone, cancellationToken)).Values.Where(m => m.State != MemberStates.Revoked).ToList();
        if (live.Count == 0) return 0;
        if (live.Count > GroupRevocation.InlineLimit)
        {
            var batchSize = context.NeedsLicense ? await apple.MaxSerialsAsync(cancellationToken) : int.MaxValue;
            var workflow = await revocationWorkflow.StartAsync(context, live,
                GroupRevocationWorkflow.LeaveKey(context, live.Select(m => m.MemberId), raisedAt), batchSize, cancellationToken);
            logger.LogInformation("{Count} devices left device group {GroupId} while {ContentId} was being licensed: revoked by workflow {WorkflowId}",
                live.Count, context.GroupId, context.ContentId, workflow.Id);
        }
        else
        {
            var outcome = await revocation.RevokeAsync(context, live, MemberReasons.LeftGroup, stepKey + ":departed", null, cancellationToken);
            logger.LogInformation("{Count} devices left device group {GroupId} while {ContentId} was being licensed: revoked ({Returned} returned, {HandedOver} handed over)",
                live.Count, context.GroupId, context.ContentId, outcome.Returned, outcome.HandedOver);
        }
        return live.Count;
    }
}
