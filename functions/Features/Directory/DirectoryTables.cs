using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Directory;

/// <summary>
/// The directory's tables (names without the storage prefix), created once per process on first
/// use. A failed creation is retried by the next caller instead of being cached.
/// </summary>
public sealed class DirectoryTables(TableServiceClient service)
{
    public const string UserGroupsName = "usergroups";
    public const string DeviceGroupsName = "devicegroups";
    public const string MemberGroupsName = "membergroups";

    readonly SemaphoreSlim gate = new(1, 1);
    volatile bool created;

    /// <summary>The 64 <c>users{n}</c> tables, each created on first use (not by <see cref="EnsureCreatedAsync"/>).</summary>
    public UserTables Users { get; } = new(service);
    public TableClient UserGroups { get; } = service.GetTableClient(UserGroupsName);
    public TableClient DeviceGroups { get; } = service.GetTableClient(DeviceGroupsName);
    /// <summary>The 64 <c>groupmembers{n}</c> tables, each created on first use (not by <see cref="EnsureCreatedAsync"/>).</summary>
    public GroupMemberTables GroupMembers { get; } = new(service);
    public TableClient MemberGroups { get; } = service.GetTableClient(MemberGroupsName);

    public TableClient Groups(GroupKind kind) => kind == GroupKind.User ? UserGroups : DeviceGroups;

    public async ValueTask EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        if (created) return;
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (created) return;
            await Task.WhenAll(new[] { UserGroups, DeviceGroups, MemberGroups }
                .Select(t => t.CreateIfNotExistsAsync(cancellationToken)));
            created = true;
        }
        finally
        {
            gate.Release();
        }
    }
}
