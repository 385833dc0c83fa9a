using Microsoft.Extensions.Options;

namespace ManagedDistribution.Platform.Storage;

/// <summary>
/// Health probe: a signed List Queues call (at most one result) on a client without retries, so
/// it proves both that the service answers and that it accepts our credentials, and a storage
/// outage shows within <see cref="Timeout"/> instead of after the clients' retry back-off.
/// </summary>
public sealed class StorageProbe(StorageAccount account, IOptions<StorageOptions> options) : IStorageProbe
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    readonly QueueServiceClient queues = new(account, options, NoRetries());

    public async Task ProbeAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            await queues.PingAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"The storage queue service did not answer within {Timeout.TotalSeconds:0} s.");
        }
    }

    static StorageClientOptions NoRetries()
    {
        var clientOptions = new StorageClientOptions();
        clientOptions.Retry.MaxRetries = 0;
        clientOptions.Retry.NetworkTimeout = Timeout;
        return clientOptions;
    }
}
