using ManagedDistribution.Features.Devices.Admin;
using ManagedDistribution.Features.Devices.Checkin;
using ManagedDistribution.Features.Devices.Commands;
using ManagedDistribution.Features.Devices.Inventory;
using ManagedDistribution.Features.Devices.Registry;
using ManagedDistribution.Features.Directory;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ManagedDistribution.Features.Devices;

public static class DevicesModule
{
    /// <summary>
    /// The device registry, check-in and command exchange, command queue and device admin API.
    /// Provides <see cref="IDeviceDirectory"/>, <see cref="IPushTargets"/> and <see cref="CommandQueue"/>;
    /// needs <see cref="IPushScheduler"/> (push workflow) and <see cref="IUserDirectory"/> (Directory).
    /// </summary>
    public static IServiceCollection AddDevices(this IServiceCollection services)
    {
        services.AddOptions<MdmOptions>().BindConfiguration(MdmOptions.SectionName)
            .ValidateDataAnnotations()
            .Validate(o => string.IsNullOrWhiteSpace(o.IdentityCaPath) || File.Exists(o.IdentityCaPath), "Mdm:IdentityCaPath names a file that does not exist.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<DeviceTables>();
        services.AddSingleton<DeviceStore>();
        services.AddSingleton<IDeviceDirectory>(sp => sp.GetRequiredService<DeviceStore>());
        services.AddSingleton<CommandStore>();
        services.AddSingleton<CommandExchange>();
        services.AddSingleton<CommandQueue>();
        services.AddSingleton<InventoryStore>();
        services.AddSingleton<InventoryIngest>();
        services.AddSingleton<PushTargetSnapshots>();
        services.AddSingleton<IPushTargets, PushTargets>();
        services.AddSingleton<DeviceIdentity>();
        services.AddSingleton<CheckinService>();
        services.AddSingleton<ConnectService>();
        services.AddSingleton<DeviceAdminService>();
        services.TryAddSingleton<IPushScheduler, NoPushScheduler>();
        services.TryAddSingleton<IUserDirectory, NoUserDirectory>();
        services.TryAddSingleton<IDeviceGroupMembers, NoDeviceGroups>();
        services.AddSingleton<DeviceRefresh>();
        return services;
    }

    public static IEndpointRouteBuilder MapDevices(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapMdm();
        endpoints.MapDeviceAdmin();
        return endpoints;
    }
}
