using System.Collections.Concurrent;
using ManagedDistribution.Platform.Hosting;
using ManagedDistribution.Platform.Storage;
using ManagedDistribution.Platform.Workflows;
using ManagedDistribution.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ManagedDistribution.Tests.Platform.Workflows;

/// <summary>
/// A <see cref="WorkflowEngine"/> on Azurite with its own prefix, and a hand-driven queue consumer
/// so tests decide when (and how often) each chunk message is delivered.
/// </summary>
sealed class WorkflowTestBed
{
    public const string Queue = "wftest";

    public WorkflowTestBed(AzuriteFixture azurite)
    {
        var options = Options.Create(new StorageOptions { Prefix = AzuriteFixture.NewPrefix() });
        Queues = new QueueServiceClient(azurite.Account, options);
        var clientOptions = new StorageClientOptions();
        clientOptions.AddPolicy(Crash, Azure.Core.HttpPipelinePosition.PerCall);
        Tables = new TableServiceClient(azurite.Account, options, clientOptions);
        Engine = new WorkflowEngine(Tables, Queues, TimeProvider.System, NullLogger<WorkflowEngine>.Instance);
    }

    /// <summary>Arm to make a later table transaction fail before it is sent, as if the process died there.</summary>
    public BatchCrash Crash { get; } = new();
    public WorkflowEngine Engine { get; }
    public QueueServiceClient Queues { get; }
    public TableServiceClient Tables { get; }
    public QueueClient QueueClient => Queues.GetQueueClient(Queue);

    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public static WorkflowStartRequest Request(int count, string? key = null, int chunkSize = 100) =>
        new("test", Queue, "testing", key, [.. Enumerable.Range(0, count).Select(i => new WorkflowItemSeed($"item{i:D5}", $"Item {i}", "sub"))], chunkSize);

    /// <summary>Random bytes as base64: data that gzip cannot shrink below ~¾ of its length.</summary>
    public static string Incompressible(int bytes) => Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(bytes));

    /// <summary>Items whose data is too big for a manifest (~3 MB compressed for 150): their chunk is written as item rows.</summary>
    public static WorkflowStartRequest RowsRequest(int count, int chunkSize)
    {
        var request = Request(count, chunkSize: chunkSize);
        return request with { Items = [.. request.Items.Select(s => s with { Data = Incompressible(15_000) })] };
    }

    /// <summary>The row keys of a chunk's partition as stored (summary, manifest, item rows).</summary>
    public async Task<List<string>> RowKeysAsync(string workflowId, int chunk)
    {
        var table = Tables.GetTableClient(WorkflowRows.ItemsTableName(WorkflowRows.ItemTableOf(workflowId, chunk)));
        var keys = new List<string>();
        await foreach (var row in table.QueryAsync(TableFilter.PartitionKey.Eq(WorkflowRows.PartitionKeyFor(workflowId, chunk)), ["RowKey"], cancellationToken: Cancel))
            keys.Add(row.RowKey);
        return keys;
    }

    /// <summary>Every item of a workflow through the engine's paged listing.</summary>
    public async Task<List<WorkflowItem>> AllItemsAsync(string workflowId, int pageSize)
    {
        var items = new List<WorkflowItem>();
        string? token = null;
        do
        {
            var page = await Engine.GetItemsAsync(workflowId, token, pageSize, Cancel);
            Assert.True(page.Items.Count <= pageSize);
            items.AddRange(page.Items);
            token = page.ContinuationToken;
        }
        while (token is not null);
        return items;
    }

    /// <summary>Receives what is visible now (up to 32).</summary>
    public Task<IReadOnlyList<QueueMessage>> ReceiveAsync() => QueueClient.ReceiveMessagesAsync(32, TimeSpan.FromSeconds(30), Cancel);

    /// <summary>Delivers one message the way the queue listener would (deleting it on success).</summary>
    public async Task DeliverAsync(QueueMessage message, IWorkflowChunkProcessor processor, string? messageId = null, long? dequeueCount = null, bool delete = true)
    {
        var invocation = new QueueInvocation("TestQueue", Guid.NewGuid().ToString(), message.Text, dequeueCount ?? message.DequeueCount,
            messageId ?? message.MessageId, message.InsertionTime);
        await Engine.RunChunkAsync(invocation, processor, 5, Cancel);
        if (delete) await QueueClient.DeleteMessageAsync(message.MessageId, message.PopReceipt, Cancel);
    }

    /// <summary>Delivers messages until the queue is empty (timers must be zero-delay here).</summary>
    public async Task DrainAsync(IWorkflowChunkProcessor processor)
    {
        for (var round = 0; round < 200; round++)
        {
            var batch = await ReceiveAsync();
            if (batch.Count == 0 && await QueueClient.GetApproximateCountAsync(Cancel) == 0) return;
            foreach (var message in batch) await DeliverAsync(message, processor);
        }
        Assert.Fail("The workflow queue did not drain.");
    }
}

/// <summary>
/// Finishes items as <c>done</c> on the wave given by <see cref="FinishOnWave"/> (by key), keeps the
/// others <c>waiting</c> with a zero-delay timer, and records every item it was handed per wave.
/// </summary>
sealed class ScriptedProcessor : IWorkflowChunkProcessor
{
    public Func<string, int> FinishOnWave { get; init; } = _ => 0;
    public Func<WorkflowChunk, Task>? Before { get; init; }
    /// <summary>Items (by key) the processor returns changed; the others it leaves as they are.</summary>
    public Func<string, bool> Changes { get; init; } = _ => true;
    /// <summary>What the changed items' <c>Data</c> becomes (null: left as it was).</summary>
    public Func<WorkflowItem, string?>? Data { get; init; }
    public ConcurrentQueue<(string Key, int Wave)> Seen { get; } = new();

    public async Task<WorkflowChunkResult> ProcessAsync(WorkflowChunk chunk, CancellationToken cancellationToken)
    {
        if (Before is not null) await Before(chunk);
        foreach (var item in chunk.Items) Seen.Enqueue((item.Key, chunk.Wave));
        var updated = chunk.Items.Where(i => Changes(i.Key)).Select(i => FinishOnWave(i.Key) <= chunk.Wave
            ? i with { State = "done", Terminal = true, Attempts = i.Attempts + 1 }
            : i with { State = "waiting", Attempts = i.Attempts + 1 })
            .Select(i => Data is null ? i : i with { Data = Data(i) }).ToList();
        return new WorkflowChunkResult(updated, TimeSpan.Zero);
    }
}

/// <summary>Fails the table transactions after the first <see cref="Allow"/> ones once armed (a crash between steps).</summary>
sealed class BatchCrash : Azure.Core.Pipeline.HttpPipelinePolicy
{
    int allowed = int.MaxValue;

    public void Allow(int transactions) => Volatile.Write(ref allowed, transactions);

    public void Disarm() => Volatile.Write(ref allowed, int.MaxValue);

    public override void Process(Azure.Core.HttpMessage message, ReadOnlyMemory<Azure.Core.Pipeline.HttpPipelinePolicy> pipeline) =>
        ProcessAsync(message, pipeline).AsTask().GetAwaiter().GetResult();

    public override ValueTask ProcessAsync(Azure.Core.HttpMessage message, ReadOnlyMemory<Azure.Core.Pipeline.HttpPipelinePolicy> pipeline)
    {
        if (message.Request.Uri.Path.EndsWith("$batch", StringComparison.Ordinal) && Interlocked.Decrement(ref allowed) < 0)
            throw new InvalidOperationException("Simulated crash before a table transaction.");
        return ProcessNextAsync(message, pipeline);
    }
}
