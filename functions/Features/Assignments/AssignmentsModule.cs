using ManagedDistribution.Features.Assignments.DeviceGroups;
using ManagedDistribution.Features.Assignments.Users;

namespace ManagedDistribution.Features.Assignments;

/// <summary>Assignments of catalogue items to targets (this slice: single devices).</summary>
public static class AssignmentsModule
{
    public static IServiceCollection AddAssignments(this IServiceCollection services)
    {
        services.AddSingleton<AssignmentStore>();
        services.AddSingleton<DeviceAssignments>();
        services.AddSingleton<Members.AssignmentMemberStore>();
        services.AddSingleton<Users.UserContentReader>();
        services.AddSingleton<Users.UserLicenser>();
        services.AddSingleton<Users.UserRevoker>();
        services.AddSingleton<Users.UserDelivery>();
        services.AddSingleton<Users.UserEntitlements>();
        services.AddSingleton<Users.UserAssignments>();
        services.AddSingleton<Users.UserGroupAssignments>();
        services.AddSingleton<Users.UserAssignmentListeners>();
        services.AddSingleton<Devices.IDeviceEnrollmentListener, Users.UserDeviceEnrolment>();
        services.AddSingleton<Devices.ICommandResultListener, Users.UserInstallResults>();
        services.AddSingleton<Directory.IUserEnrollmentListener>(sp => sp.GetRequiredService<Users.UserAssignmentListeners>());
        services.AddSingleton<Directory.IGroupMembershipListener>(sp => sp.GetRequiredService<Users.UserAssignmentListeners>());
        services.AddSingleton<IWaitingAssignmentServer, Users.UserWaitingServer>();
        services.AddSingleton<IWaitingAssignmentServer, Users.UserGroupWaitingServer>();
        services.AddSingleton<Directory.IGroupReferenceSource, Users.UserGroupAssignmentReferences>();
        services.AddDeviceGroupAssignments();
        services.AddUserGroupMembershipWorkflow();
        return services;
    }
}
