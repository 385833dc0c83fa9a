using ManagedDistribution.Features.Assignments.Members;
using ManagedDistribution.Features.Devices;

namespace ManagedDistribution.Features.Assignments.DeviceGroups;

/// <summary>
/// Install results of commands queued by assignments on a device (<see cref="InstallResults"/>):
/// the device's group members and its direct assignments. The command is found through the
/// device's groups' assignments (a few partition reads), matched on its UUID.
/// </summary>
public sealed class InstallResultListener(
    GroupMembers groupMembers, AssignmentStore store, AssignmentMemberStore members, TimeProvider time) : ICommandResultListener
{
    public async Task CommandFinishedAsync(CommandResult result, CancellationToken cancellationToken)
    {
        if (!InstallResults.IsAnsweredInstall(result)) return;
        var deviceId = result.Channel.DeviceId;
        var now = time.GetUtcNow();
        foreach (var groupId in await groupMembers.GroupsOfAsync(deviceId, cancellationToken))
            foreach (var row in await store.ListAsync(TargetKinds.DeviceGroup, groupId, cancellationToken))
                if (InstallResults.Apply(await members.GetAsync(TargetKinds.DeviceGroup, groupId, row.RowKey, deviceId, cancellationToken), result, now,
                        keepDetail: false) is { } changed)
                    await members.SaveManyAsync([changed], cancellationToken);
        foreach (var row in await store.ListAsync(TargetKinds.Device, deviceId, cancellationToken))
            if (InstallResults.Apply(row, result, now)) await store.SaveAsync(row, cancellationToken);
    }
}
