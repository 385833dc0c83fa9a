using ManagedDistribution.Features.AppleNotifications;
using ManagedDistribution.Features.Devices;
using ManagedDistribution.Features.Directory;
using ManagedDistribution.Features.Invitations.Acceptance;
using ManagedDistribution.Features.Invitations.Campaigns;
using ManagedDistribution.Features.Tasks;
using ManagedDistribution.Platform.Hosting;
using ManagedDistribution.Platform.Workflows;

namespace ManagedDistribution.Features.Invitations;

/// <summary>
/// Managed distribution per user and per user group (R11), single-user invitations and group
/// campaigns (R9, R12, R13, R16), acceptance from Apple's notifications and user sync (R14), and
/// the device invitations in flight for the task list (R15).
/// </summary>
public static class InvitationsModule
{
    public static IServiceCollection AddManagedDistribution(this IServiceCollection services)
    {
        services.AddOptions<InvitationsOptions>().BindConfiguration(InvitationsOptions.SectionName).ValidateDataAnnotations()
            .Validate(o => o.IsValid(), "Invitations:FollowInterval must be at least one second, FollowIntervalMax at least FollowInterval and FollowFor not negative.").ValidateOnStart();
        services.AddSingleton<ManagedDistributionStore>();
        services.AddSingleton<IUserManagedDistributionSource>(sp => sp.GetRequiredService<ManagedDistributionStore>());
        services.AddSingleton<AppleUserRegistration>();
        services.AddSingleton<AffectedLicenses>();
        services.AddSingleton<EnrolmentUpdates>();
        services.AddSingleton<ManagedDistributionService>();
        services.AddSingleton<GroupManagedDistribution>();
        services.AddSingleton<GroupManagedDistributionWorkflow>();
        services.AddSingleton<GroupManagedDistributionProcessor>();
        services.AddQueueFunction<ManagedDistributionQueueHandler>("ManagedDistributionQueue", GroupManagedDistributionWorkflow.QueueName);
        services.AddSingleton<InvitationService>();
        services.AddWorkflows();
        services.AddSingleton<CampaignPlanner>();
        services.AddSingleton<CampaignService>();
        services.AddSingleton<RecipientSender>();
        services.AddSingleton<CampaignProcessor>();
        services.AddSingleton<CampaignWakeups>();
        services.AddQueueFunction<CampaignQueueHandler>("InvitationQueue", CampaignKey.QueueName);
        services.AddSingleton<IAppleNotificationHandler, UserAssociatedHandler>();
        services.AddSingleton<IAppleNotificationHandler, UserManagementHandler>();
        services.AddSingleton<IAppleUserSync, AppleUserSync>();
        services.AddSingleton<ICommandResultListener, InvitationDeliveryListener>();
        services.AddSingleton<IDeviceInvitationsInFlight, DeviceInvitationsInFlight>();
        return services;
    }
}
