using ManagedDistribution.Features.Assignments.Members;
using ManagedDistribution.Features.Devices;
using ManagedDistribution.Features.Devices.Commands;
using ManagedDistribution.Features.Devices.Registry;

namespace ManagedDistribution.Features.Assignments.Users;

/// <summary>
/// Install results of user assignments: the command is matched on the UUID the assignment (or
/// the group member row) recorded — the first command queued for the user — so an acknowledgement
/// marks it <c>installed</c> and an error says what the device answered. Commands queued for the
/// user's other devices do not change the state.
/// </summary>
public sealed class UserInstallResults(DeviceStore devices, AssignmentStore store, AssignmentMemberStore members,
    Directory.MembershipStore memberships, TimeProvider time) : ICommandResultListener
{
    public async Task CommandFinishedAsync(CommandResult result, CancellationToken cancellationToken)
    {
        if (result.Source != "assignments" || result.RequestType is not ("InstallApplication" or "InstallMedia")) return;
        if (result.Status is not (CommandStatuses.Acknowledged or CommandStatuses.Error)) return;
        if (await devices.GetAsync(result.Channel.DeviceId, cancellationToken) is not { UserId: { } userId }) return;
        var now = time.GetUtcNow();
        var acknowledged = result.Status == CommandStatuses.Acknowledged;
        foreach (var row in await store.ListAsync(TargetKinds.User, userId, cancellationToken))
        {
            if (row.GetString("CommandUuid") != result.CommandUuid || row.GetString("State") is AssignmentStates.Revoked) continue;
            if (acknowledged) row["State"] = AssignmentStates.Installed;
            else row["Note"] = "Install failed: " + (result.Error ?? "the device reported an error.");
            row["UpdatedAt"] = now;
            await store.SaveAsync(row, cancellationToken);
        }
        foreach (var group in await memberships.GroupsOfMemberAsync(Directory.GroupKind.User, userId, cancellationToken))
            foreach (var row in await store.ListAsync(TargetKinds.UserGroup, group.GroupId, cancellationToken))
            {
                var member = await members.GetAsync(TargetKinds.UserGroup, group.GroupId, row.RowKey, userId, cancellationToken);
                if (member?.CommandUuid != result.CommandUuid || member.State is MemberStates.Revoked) continue;
                await members.SaveManyAsync([acknowledged
                    ? member with { State = MemberStates.Installed, Reason = null, UpdatedAt = now }
                    : member with { State = MemberStates.Failed, Reason = MemberReasons.InstallFailed, Detail = result.Error ?? "The device reported an error.", UpdatedAt = now }],
                    cancellationToken);
            }
    }
}
