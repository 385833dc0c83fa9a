namespace ManagedDistribution.Features.AppleNotifications;

/// <summary>Apple's Apps and Books notifications: bearer check, dedupe, ASSET_COUNT applied.</summary>
public static class AppleNotificationsModule
{
    public static IServiceCollection AddAppleNotifications(this IServiceCollection services)
    {
        services.AddSingleton<NotificationInbox>();
        return services;
    }
}
