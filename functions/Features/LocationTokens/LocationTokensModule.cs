using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ManagedDistribution.Features.LocationTokens;

/// <summary>Apps and Books location tokens (R4): install, health, encrypted storage.</summary>
public static class LocationTokensModule
{
    public static IServiceCollection AddLocationTokens(this IServiceCollection services)
    {
        services.AddOptions<LocationTokensOptions>()
            .BindConfiguration(LocationTokensOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<TokenProtector>();
        services.AddSingleton<LocationTokenStore>();
        services.AddSingleton<TokenHealthCheck>();
        services.AddSingleton<LocationTokenService>();
        services.AddSingleton<AppsAndBooks.IMdmInfoConflictObserver, TokenClaimedElsewhere>();
        return services;
    }
}
