namespace ManagedDistribution.Features.Directory;

/// <summary><see cref="IDeviceGroupMembers"/> over the group row and the group's members (its partition of every bucket table).</summary>
public sealed class DeviceGroupMembers(GroupStore groups, MembershipStore memberships) : IDeviceGroupMembers
{
    public async Task<IReadOnlyCollection<string>?> DeviceIdsAsync(string groupId, CancellationToken cancellationToken)
    {
        if (!DirectoryIds.IsValid(groupId) || await groups.GetAsync(GroupKind.Device, groupId, cancellationToken) is null) return null;
        return await memberships.MemberIdsAsync(GroupKind.Device, groupId, cancellationToken);
    }
}
