using System.Collections.Concurrent;
using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Platform.Workflows;

/// <summary>
/// A small persisted workflow engine in place of Durable Functions (DESIGN.md §3): a workflow row,
/// items in chunk partitions, one queue message per chunk and wave, conditional (ETag) commits,
/// durable timers as delayed queue messages, cancellation and progress counters. Kinds plug in an
/// <see cref="IWorkflowChunkProcessor"/> and a queue function that calls <see cref="RunChunkAsync"/>.
/// Singleton; thread-safe.
/// </summary>
public sealed partial class WorkflowEngine
{
    /// <summary>Chunk partitions are written with this many concurrent transactions.</summary>
    const int WriteConcurrency = 8;
    /// <summary>Chunks whose inline first wave runs at once (each runs its own look-ups in parallel).</summary>
    const int FirstWaveConcurrency = 4;
    /// <summary>How long one chunk's inline first wave may take before the chunk is left to the queue.</summary>
    static readonly TimeSpan FirstWaveBudget = TimeSpan.FromSeconds(10);

    readonly TableClient workflows;
    readonly TableClient[] itemTables;
    readonly QueueServiceClient queues;
    readonly TimeProvider time;
    readonly ILogger<WorkflowEngine> logger;
    readonly ConcurrentDictionary<string, Lazy<Task>> created = new(StringComparer.Ordinal);

    public WorkflowEngine(TableServiceClient tables, QueueServiceClient queues, TimeProvider time, ILogger<WorkflowEngine> logger)
    {
        workflows = tables.GetTableClient(WorkflowRows.WorkflowsTable);
        itemTables = [.. Enumerable.Range(0, WorkflowRows.ItemTableCount).Select(t => tables.GetTableClient(WorkflowRows.ItemsTableName(t)))];
        this.queues = queues;
        this.time = time;
        this.logger = logger;
    }

    /// <summary>Creates the tables once per process (and again after a failed attempt).</summary>
    Task EnsureTablesAsync(CancellationToken cancellationToken) =>
        EnsureOnceAsync("tables", async () =>
        {
            await workflows.CreateIfNotExistsAsync(cancellationToken);
            await Task.WhenAll(itemTables.Select(t => t.CreateIfNotExistsAsync(cancellationToken)));
        });

    /// <summary>The table holding a chunk's partition (items and summary row).</summary>
    TableClient Items(string workflowId, int chunk) => itemTables[WorkflowRows.ItemTableOf(workflowId, chunk)];

    async Task<QueueClient> QueueAsync(string queueName, CancellationToken cancellationToken)
    {
        var queue = queues.GetQueueClient(queueName);
        await EnsureOnceAsync("queue:" + queueName, () => queue.CreateIfNotExistsAsync(cancellationToken));
        return queue;
    }

    async Task EnsureOnceAsync(string what, Func<Task> create)
    {
        var once = created.GetOrAdd(what, _ => new Lazy<Task>(create));
        try { await once.Value; }
        catch
        {
            created.TryRemove(new(what, once));
            throw;
        }
    }

    async Task SendAsync(string queueName, WorkflowMessage message, TimeSpan? delay, CancellationToken cancellationToken)
    {
        var queue = await QueueAsync(queueName, cancellationToken);
        var visibility = delay is { } d ? TimeSpan.FromTicks(Math.Clamp(d.Ticks, 0, QueueClient.MaxVisibilityDelay.Ticks)) : (TimeSpan?)null;
        await queue.SendMessageAsync(message.ToJson(), visibility, Timeout.InfiniteTimeSpan, cancellationToken);
    }

    /// <summary>The workflow row, or null.</summary>
    public async Task<WorkflowInfo?> GetAsync(string workflowId, CancellationToken cancellationToken)
    {
        await EnsureTablesAsync(cancellationToken);
        if (!WorkflowRows.IsValidItemKey(workflowId)) return null;
        var entity = await workflows.GetEntityAsync(WorkflowRows.WorkflowPartition, workflowId, cancellationToken: cancellationToken);
        return entity is null ? null : WorkflowRows.ToWorkflow(entity);
    }

    [LoggerMessage(LogLevel.Information, "Workflow {WorkflowId} ({WorkflowKind}) started with {ItemCount} items in {ChunkCount} chunks")]
    partial void LogStarted(string workflowId, string workflowKind, int itemCount, int chunkCount);

    [LoggerMessage(LogLevel.Debug, "Workflow {WorkflowId} start: items (first waves included) written in {WriteMs} ms, chunk messages sent in {SendMs} ms, marked running in {RunningMs} ms")]
    partial void LogStartTimings(string workflowId, int writeMs, int sendMs, int runningMs);

    [LoggerMessage(LogLevel.Information, "Workflow {WorkflowId} finished as {WorkflowState}")]
    partial void LogFinished(string workflowId, string workflowState);

    [LoggerMessage(LogLevel.Information, "Workflow {WorkflowId} chunk {Chunk}: message for wave {Wave} skipped ({SkipReason})")]
    partial void LogSkipped(string workflowId, int chunk, int wave, string skipReason);

    [LoggerMessage(LogLevel.Debug, "Workflow {WorkflowId} chunk {Chunk} wave {Wave}: {OpenItems} open items; load {LoadMs} ms, process {ProcessMs} ms, commit {CommitMs} ms")]
    partial void LogTimings(string workflowId, int chunk, int wave, int openItems, int loadMs, int processMs, int commitMs);

    [LoggerMessage(LogLevel.Warning, "Workflow {WorkflowId} chunk {Chunk}: the inline first wave failed; the chunk's wave 0 runs from the queue")]
    partial void LogFirstWaveFailed(Exception exception, string workflowId, int chunk);

    [LoggerMessage(LogLevel.Warning, "Workflow queue message is not a workflow message; dropped")]
    partial void LogMalformed();

    [LoggerMessage(LogLevel.Error, "Workflow {WorkflowId} failed: chunk {Chunk} gave up after {DequeueCount} attempts")]
    partial void LogFailed(Exception exception, string workflowId, int chunk, long dequeueCount);
}
