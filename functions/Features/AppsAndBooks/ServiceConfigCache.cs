using ManagedDistribution.Features.AppsAndBooks.Models;

namespace ManagedDistribution.Features.AppsAndBooks;

/// <summary>
/// Holds Service Config for the refresh interval (Apple: re-sync every 5 minutes). One refresh
/// at a time; if a refresh fails while an older copy exists, the older copy is used.
/// </summary>
internal sealed class ServiceConfigCache(
    AppsAndBooksTransport transport, TimeProvider time, TimeSpan refreshInterval, ILogger logger)
{
    sealed record Entry(ServiceConfig Config, DateTimeOffset FetchedAt);

    readonly SemaphoreSlim refreshing = new(1, 1);
    volatile Entry? current;

    public async Task<ServiceConfig> GetAsync(CancellationToken cancellationToken)
    {
        if (current is { } fresh && !IsStale(fresh)) return fresh.Config;
        await refreshing.WaitAsync(cancellationToken);
        try
        {
            if (current is { } refreshed && !IsStale(refreshed)) return refreshed.Config;
            try
            {
                var config = await transport.GetAsync("service/config", null, AppsAndBooksJson.Default.ServiceConfig, cancellationToken);
                current = new Entry(config, time.GetUtcNow());
            }
            catch (AppsAndBooksException e) when (current is not null)
            {
                logger.LogWarning(e, "Apps and Books service config refresh failed; keeping the copy from {FetchedAt}", current.FetchedAt);
            }
            return current.Config;
        }
        finally
        {
            refreshing.Release();
        }
    }

    bool IsStale(Entry entry) => time.GetUtcNow() - entry.FetchedAt >= refreshInterval;
}
