using System.Text.RegularExpressions;
using Azure.Core;
using Azure.Core.Pipeline;
using Microsoft.Extensions.Options;

namespace ManagedDistribution.Platform.Storage;

/// <summary>
/// Entry point to the Queue service of one account. Every queue name gets <c>Storage:Prefix</c>,
/// so several instances or test runs can share an account without seeing each other's work.
/// </summary>
public sealed partial class QueueServiceClient
{
    internal const string ServiceVersion = "2021-12-02";

    readonly HttpPipeline pipeline;
    readonly Uri endpoint;
    readonly string prefix;

    public QueueServiceClient(StorageAccount account, IOptions<StorageOptions> options, StorageClientOptions? clientOptions = null)
    {
        endpoint = account.QueueEndpoint;
        prefix = options.Value.Prefix.ToLowerInvariant();
        pipeline = StoragePipeline.Build(account,
            account.AccountKey is null ? new NoAuthPolicy() : new QueueSharedKeyPolicy(account.AccountName, account.AccountKey),
            clientOptions);
    }

    public Uri Endpoint => endpoint;

    /// <summary>The client for queue <paramref name="name"/> (the prefix is added here, once).</summary>
    public QueueClient GetQueueClient(string name)
    {
        var fullName = prefix + name;
        if (!QueueName().IsMatch(fullName) || fullName.Contains("--"))
            throw new ArgumentException($"'{fullName}' is not a valid queue name (3-63 lowercase letters, digits, single hyphens).", nameof(name));
        return new QueueClient(pipeline, endpoint, fullName);
    }

    /// <summary>Lists at most one queue: a cheap signed round trip that proves the service answers and accepts our credentials.</summary>
    public async Task PingAsync(CancellationToken cancellationToken)
    {
        using var message = QueueRequests.Create(pipeline, RequestMethod.Get, QueueRequests.Url(endpoint, "", "comp=list&maxresults=1"));
        await QueueRequests.SendAsync(pipeline, message, cancellationToken);
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")]
    private static partial Regex QueueName();

    sealed class NoAuthPolicy : HttpPipelineSynchronousPolicy;
}
