using ManagedDistribution.Features.Assignments.DeviceGroups;

namespace ManagedDistribution.Features.Assignments;

/// <summary>Assignments of catalogue items to targets (this slice: single devices).</summary>
public static class AssignmentsModule
{
    public static IServiceCollection AddAssignments(this IServiceCollection services)
    {
        services.AddSingleton<AssignmentStore>();
        services.AddSingleton<DeviceAssignments>();
        services.AddSingleton<Members.AssignmentMemberStore>();
        services.AddDeviceGroupAssignments();
        return services;
    }
}
