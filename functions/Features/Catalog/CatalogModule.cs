using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ManagedDistribution.Features.Catalog;

/// <summary>The catalogue: internal content registered here, purchased content synced from Apple.</summary>
public static class CatalogModule
{
    public static IServiceCollection AddCatalog(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ContentStore>();
        services.AddSingleton<CatalogSync>();
        return services;
    }
}
