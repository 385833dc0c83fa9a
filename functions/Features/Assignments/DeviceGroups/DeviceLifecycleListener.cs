using ManagedDistribution.Features.LocationTokens;
using ManagedDistribution.Features.Assignments.Members;
using ManagedDistribution.Features.Assignments.Waiting;
using ManagedDistribution.Features.Devices;
using ManagedDistribution.Features.Licenses;

namespace ManagedDistribution.Features.Assignments.DeviceGroups;

/// <summary>
/// A device enrolled: its members that were pending for a device reason (not enrolled, OS too old,
/// not eligible) or revoked by a checkout are served again, in every device group assignment of
/// its groups. A device checked out: every device license we hold for its serial is reclaimed
/// (disassociated, returned, target row released), whether a group or a direct device
/// assignment gave it; member rows become revoked / checked-out, direct assignments revoked.
/// Both are idempotent: a repeated TokenUpdate finds nothing pending, a repeated CheckOut nothing committed.
/// </summary>
public sealed class DeviceLifecycleListener(
    GroupMembers groupMembers, AssignmentStore store, AssignmentMemberStore members, GroupContexts contexts, GroupLicensing licensing,
    GroupRevocation revocation, LicenseLedger ledger, WaitingListServer waiting, TimeProvider time, ILogger<DeviceLifecycleListener> logger)
    : IDeviceEnrollmentListener
{
    static readonly HashSet<string> DeviceReasons = [MemberReasons.NotEnrolled, MemberReasons.OsTooOld, MemberReasons.NotEligible, MemberReasons.CheckedOut];

    public async Task DeviceEnrolledAsync(string deviceId, CancellationToken cancellationToken)
    {
        foreach (var (context, member) in await MembershipsAsync(deviceId, cancellationToken))
        {
            if (member is null || member.State is not (MemberStates.Pending or MemberStates.Revoked) || !DeviceReasons.Contains(member.Reason ?? "")) continue;
            if (context.NeedsLicense && context.Token?.Health.AllowsWrites() != true) continue;
            if (context.Row.GetString("State") == GroupAssignmentStates.Revoking) continue; // its revocation workflow is taking members away
            await licensing.ServeAsync(context, [deviceId], $"{context.AssignmentId}:{time.GetUtcNow().UtcTicks}", fromWaitingList: false, cancellationToken);
        }
    }

    public async Task DeviceCheckedOutAsync(string deviceId, string? serialNumber, CancellationToken cancellationToken)
    {
        var groupAssignments = await MembershipsAsync(deviceId, cancellationToken);
        var direct = await store.ListAsync(TargetKinds.Device, deviceId, cancellationToken);
        var now = time.GetUtcNow();
        var freed = new HashSet<string>(StringComparer.Ordinal);
        if (!string.IsNullOrEmpty(serialNumber))
        {
            var contentIds = groupAssignments.Select(g => g.Context.ContentId).Concat(direct.Select(d => d.RowKey)).Distinct(StringComparer.Ordinal);
            foreach (var contentId in contentIds)
                if (await ReclaimAsync(contentId, deviceId, serialNumber, groupAssignments, cancellationToken)) freed.Add(contentId);
        }
        await members.SaveManyAsync(groupAssignments.Where(g => g.Member is not null && g.Member.State != MemberStates.Revoked).Select(g =>
            g.Member!.State == MemberStates.Pending
                ? g.Member with { Reason = MemberReasons.NotEnrolled, Detail = "The device checked out (R3).", UpdatedAt = now }
                : g.Member with { State = MemberStates.Revoked, Reason = MemberReasons.CheckedOut, Detail = "The device checked out; its license was reclaimed.", UpdatedAt = now }),
            cancellationToken);
        foreach (var row in direct.Where(r => r.GetString("State") is not (AssignmentStates.Failed or AssignmentStates.Revoked)))
        {
            row["State"] = AssignmentStates.Revoked;
            row["Reason"] = MemberReasons.CheckedOut;
            row["LicenseConsumed"] = false;
            row["UpdatedAt"] = now;
            await store.SaveAsync(row, cancellationToken);
        }
        foreach (var contentId in freed) await waiting.ServeAsync(contentId, cancellationToken);
        logger.LogInformation("Device {DeviceId} checked out: {Reclaimed} device licenses reclaimed", deviceId, freed.Count);
    }

    /// <summary>Disassociates and returns the device's committed license for one item; true when one was returned.</summary>
    async Task<bool> ReclaimAsync(string contentId, string deviceId, string serial, IReadOnlyList<(GroupContext Context, AssignmentMember? Member)> groupAssignments,
        CancellationToken cancellationToken)
    {
        if (await ledger.GetTargetAsync(contentId, LicenseTarget.Device(serial), cancellationToken) is not { State: LicenseState.Committed } target) return false;
        var context = groupAssignments.FirstOrDefault(g => g.Context.ContentId == contentId).Context ?? await DirectContextAsync(deviceId, contentId, cancellationToken);
        if (context?.Token?.Health.AllowsWrites() != true)
        {
            logger.LogWarning("Device {DeviceId} checked out but the license of {ContentId} cannot be returned (token missing or read-only)", deviceId, contentId);
            return false;
        }
        var (returned, refused) = await revocation.ReturnCommittedAsync(context, [target], null, cancellationToken);
        return returned > 0 && refused.Count == 0;
    }

    /// <summary>A context for an item assigned to the device directly (the disassociation only needs the item and its token).</summary>
    async Task<GroupContext?> DirectContextAsync(string deviceId, string contentId, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(TargetKinds.Device, deviceId, contentId, cancellationToken) is not { } row) return null;
        var content = await contexts.ContentAsync(row.RowKey, cancellationToken);
        return content is null ? null : await contexts.ForAsync("", content, row, cancellationToken);
    }

    /// <summary>Every active device group assignment of the device's groups, with the device's member row in it.</summary>
    async Task<IReadOnlyList<(GroupContext Context, AssignmentMember? Member)>> MembershipsAsync(string deviceId, CancellationToken cancellationToken)
    {
        var result = new List<(GroupContext, AssignmentMember?)>();
        foreach (var groupId in await groupMembers.GroupsOfAsync(deviceId, cancellationToken))
            foreach (var row in await store.ListAsync(TargetKinds.DeviceGroup, groupId, cancellationToken))
            {
                if (await contexts.LoadAsync(groupId, row.RowKey, cancellationToken) is not { } context) continue;
                result.Add((context, await members.GetAsync(TargetKinds.DeviceGroup, groupId, row.RowKey, deviceId, cancellationToken)));
            }
        return result;
    }
}
