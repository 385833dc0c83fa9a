namespace ManagedDistribution.Platform.Storage;

/// <summary>
/// Stand-in probe until a signed one exists: an unauthenticated GET on the queue service. Any
/// HTTP answer, even 400/403, proves the service is reachable; only a socket error or no answer
/// within <see cref="Timeout"/> counts as down.
/// </summary>
public sealed class HttpStorageProbe(IHttpClientFactory httpClientFactory, StorageAccount account) : IStorageProbe
{
    public const string HttpClientName = "storage-probe";
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    public async Task ProbeAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        var http = httpClientFactory.CreateClient(HttpClientName);
        try
        {
            using var response = await http.GetAsync(account.QueueEndpoint, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"The storage queue service did not answer within {Timeout.TotalSeconds:0} s.");
        }
    }
}
