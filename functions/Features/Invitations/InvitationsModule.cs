using ManagedDistribution.Features.Directory;

namespace ManagedDistribution.Features.Invitations;

/// <summary>Managed distribution per user (R11) and single-user invitations (R9, R13, R16).</summary>
public static class InvitationsModule
{
    public static IServiceCollection AddManagedDistribution(this IServiceCollection services)
    {
        services.AddSingleton<ManagedDistributionStore>();
        services.AddSingleton<IUserManagedDistributionSource>(sp => sp.GetRequiredService<ManagedDistributionStore>());
        services.AddSingleton<AppleUserRegistration>();
        services.AddSingleton<ManagedDistributionService>();
        services.AddSingleton<InvitationService>();
        return services;
    }
}
