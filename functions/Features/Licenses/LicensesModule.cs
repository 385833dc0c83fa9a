using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ManagedDistribution.Features.Licenses;

/// <summary>The license ledger (R5, R17): counts, reservations, per-target licenses, waiting list.</summary>
public static class LicensesModule
{
    public static IServiceCollection AddLicenses(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<LicenseLedger>();
        return services;
    }
}
