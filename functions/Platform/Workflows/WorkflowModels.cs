using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Platform.Workflows;

/// <summary>Lifecycle of a workflow row (DESIGN.md §3 "Workflows instead of Durable orchestrations").</summary>
public static class WorkflowStates
{
    /// <summary>Row written, items or chunk messages possibly not yet: a repeated start finishes the job.</summary>
    public const string Starting = "starting";
    public const string Running = "running";
    public const string Completed = "completed";
    /// <summary>Cancelled by an admin; chunk handlers close the open items as <see cref="WorkflowItemStates.Cancelled"/>.</summary>
    public const string Cancelled = "cancelled";
    /// <summary>A chunk kept failing until its message was poisoned.</summary>
    public const string Failed = "failed";

    public static bool IsActive(string state) => state is Starting or Running;
}

/// <summary>The item states the engine itself uses; kinds add their own (e.g. push: <c>pushed</c>, <c>delivered</c>).</summary>
public static class WorkflowItemStates
{
    public const string Pending = "pending";
    public const string Cancelled = "cancelled";
}

/// <summary>One workflow row of table <c>workflows</c> (PK <c>workflow</c>, RK = <see cref="Id"/>).</summary>
/// <param name="QueueName">Queue (without prefix) whose handler runs this kind's chunks.</param>
/// <param name="FinalCounts">Item counts per state, written when the last chunk closed its last item.</param>
public sealed record WorkflowInfo(
    string Id,
    string Kind,
    string State,
    string? Reason,
    string? IdempotencyKey,
    string QueueName,
    int ItemCount,
    int ChunkCount,
    bool CancelRequested,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? CompletedAt,
    string? Error,
    IReadOnlyDictionary<string, int>? FinalCounts)
{
    internal ETag ETag { get; init; }
}

/// <summary>An item to start a workflow with. <see cref="Title"/>/<see cref="Subtitle"/> are what task views show without joins.</summary>
/// <param name="Key">Unique within the workflow; becomes the item's RowKey (no <c>/ \ # ?</c>, must not start with <c>!</c>).</param>
/// <param name="Data">Free-form kind-specific payload (e.g. JSON), at most 32 K characters.</param>
/// <param name="State">Null: <c>pending</c>. An item the kind already knows the outcome of (e.g. a planned skip) may start in its own state.</param>
/// <param name="Terminal">With <paramref name="State"/>: the item starts finished, is counted, shown and never handed to the processor
/// (saves a wave's commit per item).</param>
public sealed record WorkflowItemSeed(string Key, string? Title = null, string? Subtitle = null, string? Data = null, string? State = null, bool Terminal = false);

/// <summary>What to start. Same <see cref="IdempotencyKey"/> and <see cref="Kind"/> → the same workflow.</summary>
/// <param name="FirstMessageDelay">Each chunk's wave 0 message is delivered this much later: the caller runs the
/// waves itself (<see cref="WorkflowEngine.RunFirstWaveNowAsync"/>) and the messages only rescue what it did not finish.</param>
public sealed record WorkflowStartRequest(
    string Kind,
    string QueueName,
    string? Reason,
    string? IdempotencyKey,
    IReadOnlyList<WorkflowItemSeed> Items,
    int ChunkSize = 500,
    TimeSpan? FirstMessageDelay = null);

/// <summary>
/// One item row of table <c>workflowitems</c> (PK <c>{workflowId}:{chunk:D6}</c>, RK = <see cref="Key"/>).
/// Processors return changed copies (<c>item with { State = … }</c>); the engine stamps
/// <see cref="Wave"/> and <see cref="UpdatedAt"/>.
/// </summary>
/// <param name="Terminal">The item is finished (no more waves); the chunk is done when all are.</param>
/// <param name="Wave">The last wave (chunk message attempt) that changed this item; -1 before the first.</param>
/// <param name="LastAttemptAt">When the kind last acted on the item (push: when it was pushed).</param>
public sealed record WorkflowItem(
    string Key,
    int Chunk,
    string State,
    bool Terminal,
    int Attempts,
    int Wave,
    DateTimeOffset? LastAttemptAt,
    DateTimeOffset? UpdatedAt,
    string? Title,
    string? Subtitle,
    string? Data,
    string? Error);

/// <summary>What a processor gets for one wave of one chunk: the open items this wave has not handled yet.</summary>
public sealed record WorkflowChunk(WorkflowInfo Workflow, int Chunk, int Wave, IReadOnlyList<WorkflowItem> Items)
{
    /// <summary>The turn the processor gave this wave before it was loaded (<see cref="IWorkflowChunkProcessor.TakeTurnAsync"/>); null: none taken.</summary>
    public WorkflowTurn? Turn { get; init; }
}

/// <summary>
/// What a processor did: the items it changed, and when the chunk's next wave should run (a
/// durable timer) while items stay open. Null: no timer (only a cancel or a new start wakes it).
/// </summary>
public sealed record WorkflowChunkResult(IReadOnlyList<WorkflowItem> Updated, TimeSpan? NextWaveAfter);

/// <summary>Runs one wave of one chunk for a workflow kind. Must tolerate being run twice for the same wave (at-least-once).</summary>
public interface IWorkflowChunkProcessor
{
    Task<WorkflowChunkResult> ProcessAsync(WorkflowChunk chunk, CancellationToken cancellationToken);

    /// <summary>
    /// Asked before a chunk message's wave is even loaded (not for wakes): a kind that lets only so
    /// many waves run at once waits here, so a waiting chunk holds neither its items nor the CPU to
    /// read them. The engine re-reads the workflow after a wait (cancelled meanwhile: the chunk is
    /// cancelled, not processed) and gives the turn back once the wave is processed. Null: no turn.
    /// </summary>
    Task<WorkflowTurn?> TakeTurnAsync(WorkflowInfo workflow, int wave, CancellationToken cancellationToken) => Task.FromResult<WorkflowTurn?>(null);
}

/// <summary>A page of a workflow's items and where the next one starts (opaque; null at the end).</summary>
public sealed record WorkflowItemPage(IReadOnlyList<WorkflowItem> Items, string? ContinuationToken);

/// <summary>A page of workflows.</summary>
public sealed record WorkflowPage(IReadOnlyList<WorkflowInfo> Workflows, string? ContinuationToken);

/// <summary>Which workflows a listing returns.</summary>
public enum WorkflowFilter
{
    /// <summary>Starting or running.</summary>
    Active,
    /// <summary>Completed, cancelled or failed.</summary>
    Finished,
    All,
}

/// <summary>The outcome of a cancel request.</summary>
public enum CancelOutcome
{
    NotFound,
    /// <summary>Now (or already) cancelled.</summary>
    Cancelled,
    /// <summary>Completed or failed before the request: nothing to cancel.</summary>
    AlreadyFinished,
}
