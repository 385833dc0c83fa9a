using ManagedDistribution.Platform.Hosting;

namespace ManagedDistribution.Features.Assignments.Users;

public static class UsersModule
{
    /// <summary>The workflow that runs large user-group membership changes (queue function <c>UserGroupQueue</c>).</summary>
    public static IServiceCollection AddUserGroupMembershipWorkflow(this IServiceCollection services)
    {
        services.AddOptions<UserGroupMembershipOptions>().BindConfiguration(UserGroupMembershipOptions.SectionName).ValidateDataAnnotations();
        services.AddSingleton<UserGroupMembershipWorkflow>();
        services.AddSingleton<UserGroupMembershipProcessor>();
        services.AddQueueFunction<UserGroupQueueHandler>("UserGroupQueue", UserGroupMembershipWorkflow.QueueName);
        return services;
    }
}
