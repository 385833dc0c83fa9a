using ManagedDistribution.Features.Devices;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ManagedDistribution.Features.Directory;

/// <summary>Users, user groups, device groups and their memberships (issue 3).</summary>
public static class DirectoryModule
{
    public static IServiceCollection AddDirectory(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<DirectoryTables>();
        services.AddSingleton<UserStore>();
        services.AddSingleton<IUserDirectory>(sp => sp.GetRequiredService<UserStore>());
        services.AddSingleton<GroupStore>();
        services.AddSingleton<MembershipStore>();
        services.AddSingleton<IDeviceGroupMembers, DeviceGroupMembers>();
        services.AddSingleton<MemberExistence>();
        services.AddSingleton<UserImport>();
        services.AddSingleton<MembershipImport>();
        // Until the devices feature registers the real registry: no devices exist.
        services.TryAddSingleton<IDeviceDirectory, NoDevices>();
        return services;
    }

    public static IEndpointRouteBuilder MapDirectory(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapUsers();
        endpoints.MapGroups(GroupKind.User);
        endpoints.MapGroups(GroupKind.Device);
        return endpoints;
    }

    /// <summary>A stand-in device registry with no devices, replaced by the Devices feature's DeviceStore.</summary>
    sealed class NoDevices : IDeviceDirectory
    {
        public Task<bool> ExistsAsync(string deviceId, CancellationToken cancellationToken) => Task.FromResult(false);
        public Task<IReadOnlyList<string>> DeviceIdsForUserAsync(string userId, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<string>>([]);
    }
}
