using ManagedDistribution.Features.Assignments.Waiting;
using ManagedDistribution.Features.Devices;
using ManagedDistribution.Features.Directory;
using ManagedDistribution.Platform.Hosting;

namespace ManagedDistribution.Features.Assignments.DeviceGroups;

public static class DeviceGroupsModule
{
    /// <summary>Device group assignments, their listeners (membership, enrolment, install results), the licensing workflow and the waiting-list server.</summary>
    public static IServiceCollection AddDeviceGroupAssignments(this IServiceCollection services)
    {
        services.AddSingleton<WaitingListServer>();
        services.AddSingleton<GroupMembers>();
        services.AddSingleton<GroupContexts>();
        services.AddSingleton<AppleDeviceLicenses>();
        services.AddSingleton<LicenseBatch>();
        services.AddSingleton<GroupWorkflow>();
        services.AddSingleton<GroupChunkProcessor>();
        services.AddSingleton<GroupLicensing>();
        services.AddSingleton<GroupRevocation>();
        services.AddSingleton<GroupRevocationWorkflow>();
        services.AddSingleton<GroupRevocationProcessor>();
        services.AddSingleton<DepartedMembers>();
        services.AddSingleton<DeviceGroupAssignments>();
        services.AddSingleton<IWaitingAssignmentServer, GroupWaitingServer>();
        services.AddSingleton<IGroupMembershipListener, GroupMembershipListener>();
        services.AddSingleton<IDeviceEnrollmentListener, DeviceLifecycleListener>();
        services.AddSingleton<ICommandResultListener, InstallResultListener>();
        services.AddQueueFunction<GroupQueueHandler>("AssignmentQueue", GroupWorkflow.QueueName);
        return services;
    }
}
