using ManagedDistribution.Platform.Hosting;

namespace ManagedDistribution.Features.Assignments.Users;

public static class UsersModule
{
    /// <summary>The workflow that runs user-group membership changes, large ones from its queue function <c>UserGroupQueue</c>.</summary>
    public static IServiceCollection AddUserGroupMembershipWorkflow(this IServiceCollection services)
    {
        services.AddOptions<UserGroupMembershipOptions>().BindConfiguration(UserGroupMembershipOptions.SectionName).ValidateDataAnnotations()
            .Validate(o => o.InlineRescueAfter > TimeSpan.Zero && o.InlineRescueAfter <= Platform.Storage.QueueClient.MaxVisibilityDelay,
                "UserGroupMembership:InlineRescueAfter must be more than zero and at most 7 days (a queue message's longest delay).").ValidateOnStart();
        services.AddSingleton<UserGroupMembershipWorkflow>();
        services.AddSingleton<UserGroupMembershipProcessor>();
        services.AddQueueFunction<UserGroupQueueHandler>("UserGroupQueue", UserGroupMembershipWorkflow.QueueName);
        return services;
    }
}
