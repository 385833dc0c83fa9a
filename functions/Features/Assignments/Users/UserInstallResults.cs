using ManagedDistribution.Features.Assignments.Members;
using ManagedDistribution.Features.Devices;
using ManagedDistribution.Features.Devices.Registry;

namespace ManagedDistribution.Features.Assignments.Users;

/// <summary>
/// Install results of user assignments (<see cref="InstallResults"/>): the command is matched on
/// the UUID the assignment (or the group member row) recorded — the first command queued for the
/// user — so commands queued for the user's other devices do not change the state. A member keeps
/// its delivery note when installed.
/// </summary>
public sealed class UserInstallResults(DeviceStore devices, AssignmentStore store, AssignmentMemberStore members,
    UserEntitlements entitlements, TimeProvider time) : ICommandResultListener
{
    public async Task CommandFinishedAsync(CommandResult result, CancellationToken cancellationToken)
    {
        if (!InstallResults.IsAnsweredInstall(result)) return;
        if (await devices.GetAsync(result.Channel.DeviceId, cancellationToken) is not { UserId: { } userId }) return;
        var now = time.GetUtcNow();
        await foreach (var (row, groupId) in entitlements.AssignmentsOfAsync(userId, cancellationToken))
        {
            if (groupId is null)
            {
                if (InstallResults.Apply(row, result, now)) await store.SaveAsync(row, cancellationToken);
            }
            else if (InstallResults.Apply(await members.GetAsync(TargetKinds.UserGroup, groupId, row.RowKey, userId, cancellationToken), result, now,
                         keepDetail: true) is { } changed)
                await members.SaveManyAsync([changed], cancellationToken);
        }
    }
}
