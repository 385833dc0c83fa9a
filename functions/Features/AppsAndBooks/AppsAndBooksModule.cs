using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ManagedDistribution.Features.AppsAndBooks;

public static class AppsAndBooksModule
{
    /// <summary>
    /// Registers <see cref="AppsAndBooksClient"/> (singleton over a named HttpClient) and the
    /// <c>AppleAppsAndBooks</c> options.
    /// </summary>
    public static IServiceCollection AddAppsAndBooks(this IServiceCollection services)
    {
        services.AddOptions<AppsAndBooksOptions>()
            .BindConfiguration(AppsAndBooksOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        // The client is a singleton (it caches Service Config), so it keeps one HttpClient; the
        // pooled-connection lifetime, not handler rotation, picks up DNS changes.
        services.AddHttpClient(nameof(AppsAndBooksClient))
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan);
        services.AddSingleton(sp => new AppsAndBooksClient(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(AppsAndBooksClient)),
            sp.GetRequiredService<IOptions<AppsAndBooksOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<AppsAndBooksClient>>(),
            sp.GetServices<IMdmInfoConflictObserver>()));
        return services;
    }

    public static WebApplicationBuilder AddAppsAndBooks(this WebApplicationBuilder builder)
    {
        builder.Services.AddAppsAndBooks();
        return builder;
    }
}
