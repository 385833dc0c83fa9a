using ManagedDistribution.Features.Assignments.Members;
using ManagedDistribution.Features.Devices;
using ManagedDistribution.Features.Devices.Commands;

namespace ManagedDistribution.Features.Assignments.DeviceGroups;

/// <summary>
/// Install results of commands queued by assignments (source <c>assignments</c>): acknowledged →
/// the group member (and a direct device assignment) is <c>installed</c>; error → the member is
/// <c>failed / install-failed</c> with the device's error. The command is found through the
/// device's groups' assignments (a few partition reads), matched on its UUID.
/// </summary>
public sealed class InstallResultListener(
    GroupMembers groupMembers, AssignmentStore store, AssignmentMemberStore members, TimeProvider time) : ICommandResultListener
{
    public async Task CommandFinishedAsync(CommandResult result, CancellationToken cancellationToken)
    {
        if (result.Source != LicenseBatch.Source || result.RequestType is not ("InstallApplication" or "InstallMedia")) return;
        if (result.Status is not (CommandStatuses.Acknowledged or CommandStatuses.Error)) return;
        var deviceId = result.Channel.DeviceId;
        var now = time.GetUtcNow();
        foreach (var groupId in await groupMembers.GroupsOfAsync(deviceId, cancellationToken))
            foreach (var row in await store.ListAsync(TargetKinds.DeviceGroup, groupId, cancellationToken))
            {
                var member = await members.GetAsync(TargetKinds.DeviceGroup, groupId, row.RowKey, deviceId, cancellationToken);
                if (member?.CommandUuid != result.CommandUuid || member.State is MemberStates.Revoked) continue;
                await members.SaveManyAsync([result.Status == CommandStatuses.Acknowledged
                    ? member with { State = MemberStates.Installed, Reason = null, Detail = null, UpdatedAt = now }
                    : member with { State = MemberStates.Failed, Reason = MemberReasons.InstallFailed, Detail = result.Error ?? "The device reported an error.", UpdatedAt = now }],
                    cancellationToken);
            }
        foreach (var row in await store.ListAsync(TargetKinds.Device, deviceId, cancellationToken))
        {
            if (row.GetString("CommandUuid") != result.CommandUuid || row.GetString("State") is AssignmentStates.Revoked) continue;
            // A single device keeps its state on an install error (its license stays committed); the note says what the device answered.
            if (result.Status == CommandStatuses.Acknowledged) row["State"] = AssignmentStates.Installed;
            else row["Note"] = "Install failed: " + (result.Error ?? "the device reported an error.");
            row["UpdatedAt"] = now;
            await store.SaveAsync(row, cancellationToken);
        }
    }
}
