using Azure.Core.Pipeline;
using Azure.Core;
using ManagedDistribution.Platform.Storage;
using ManagedDistribution.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace ManagedDistribution.Tests.Platform.Storage;

/// <summary>Clients against the shared Azurite, with a per-class prefix, and a request counter.</summary>
static class TableTestSupport
{
    public static TableServiceClient Service(AzuriteFixture azurite, string prefix, StorageClientOptions? options = null) =>
        new(azurite.Account, Options.Create(new StorageOptions { Prefix = prefix }), options);

    public static async Task<TableClient> CreateTableAsync(AzuriteFixture azurite, string prefix, string name, StorageClientOptions? options = null)
    {
        var table = Service(azurite, prefix, options).GetTableClient(name);
        await table.CreateIfNotExistsAsync(TestContext.Current.CancellationToken);
        return table;
    }

    public static async Task<List<TableEntity>> ToListAsync(this IAsyncEnumerable<TableEntity> entities)
    {
        var list = new List<TableEntity>();
        await foreach (var entity in entities) list.Add(entity);
        return list;
    }
}

/// <summary>Counts the HTTP requests a pipeline actually sends (per retry, so every attempt counts).</summary>
sealed class RequestCounter : HttpPipelineSynchronousPolicy
{
    int count;
    public int Count => Volatile.Read(ref count);
    public override void OnSendingRequest(HttpMessage message) => Interlocked.Increment(ref count);

    public static (StorageClientOptions Options, RequestCounter Counter) Options()
    {
        var counter = new RequestCounter();
        var options = new StorageClientOptions();
        options.AddPolicy(counter, HttpPipelinePosition.PerRetry);
        return (options, counter);
    }
}
