using System.Security.Cryptography;
using System.Text;
using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Platform.Workflows;

public sealed partial class WorkflowEngine
{
    /// <summary>
    /// Starts a workflow, or returns the one already started with the same kind and idempotency key.
    /// Steps, each safe to repeat: the row (state <c>starting</c>), the item partitions (100-entity
    /// transactions; a transaction that already landed answers 409 and is skipped), the first
    /// message per chunk, then state <c>running</c>. A start that crashed part-way is finished by
    /// the next start with the same key, also after <see cref="SweepStalledStartsAsync"/> failed it
    /// for missing chunks. Duplicate keys in the items are dropped (first wins).
    /// </summary>
    public Task<WorkflowInfo> StartAsync(WorkflowStartRequest request, CancellationToken cancellationToken) =>
        StartAsync(request, null, cancellationToken);

    /// <summary>
    /// As <see cref="StartAsync(WorkflowStartRequest, CancellationToken)"/>; with
    /// <paramref name="firstWave"/>, wave 0 of every chunk runs inside the start, before the items
    /// are written: they are written as the wave left them and the first message is wave 1, sent
    /// with the wave's timer. Saves writing, loading and committing every item once (a push
    /// delivery of 50,000 channels: 50,000 merges fewer) and a queue hop before the first effect.
    /// A chunk whose inline wave throws or outlasts <see cref="FirstWaveBudget"/> is written
    /// untouched and gets its wave 0 message as usual.
    /// A start repeated after a crash runs the wave again (at least once, like a redelivered message).
    /// </summary>
    public async Task<WorkflowInfo> StartAsync(WorkflowStartRequest request, IWorkflowChunkProcessor? firstWave, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(request.ChunkSize, 1);
        var seeds = request.Items.DistinctBy(i => i.Key, StringComparer.Ordinal).ToList();
        if (seeds.FirstOrDefault(s => !WorkflowRows.IsValidItemKey(s.Key)) is { } bad)
            throw new ArgumentException($"Item key '{bad.Key}' cannot be a RowKey.", nameof(request));
        if (seeds.FirstOrDefault(s => s.Terminal && s.State is null) is { } stateless)
            throw new ArgumentException($"Item '{stateless.Key}' starts terminal without a state.", nameof(request));
        await EnsureTablesAsync(cancellationToken);

        var now = time.GetUtcNow();
        var chunkCount = (seeds.Count + request.ChunkSize - 1) / request.ChunkSize;
        var workflow = new WorkflowInfo(IdFor(request), request.Kind, seeds.Count == 0 ? WorkflowStates.Completed : WorkflowStates.Starting,
            request.Reason, request.IdempotencyKey, request.QueueName, seeds.Count, chunkCount, false, now,
            seeds.Count == 0 ? now : null, seeds.Count == 0 ? now : null, null, seeds.Count == 0 ? new Dictionary<string, int>() : null);
        try
        {
            workflow = workflow with { ETag = await workflows.AddEntityAsync(WorkflowRows.ToEntity(workflow), cancellationToken) };
        }
        catch (StorageRequestFailedException e) when (e.IsConflict)
        {
            workflow = await GetAsync(workflow.Id, cancellationToken) ?? throw new InvalidOperationException($"Workflow {workflow.Id} vanished while starting.", e);
            if (workflow is { State: WorkflowStates.Failed, Error: StartInterrupted }) workflow = await ReopenInterruptedAsync(workflow, cancellationToken);
            if (workflow.State != WorkflowStates.Starting) return workflow;
        }
        if (workflow.State != WorkflowStates.Starting) return workflow;

        var clock = time.GetTimestamp();
        var chunks = seeds.Chunk(request.ChunkSize).Select((chunk, index) => Seed(chunk, index)).ToList();
        if (firstWave is not null) chunks = await RunFirstWavesAsync(workflow, chunks, firstWave, cancellationToken);
        // Built side by side: a manifest is its items' JSON, gzipped (10,000 items in a device campaign's
        // chunk), and Parallel.ForEachAsync pulls from its source one item at a time, under a lock.
        var batches = new List<(int Chunk, List<TableTransactionAction> Actions)>[chunks.Count];
        Parallel.For(0, chunks.Count, new ParallelOptions { CancellationToken = cancellationToken }, c => batches[c] = [.. Batches(workflow.Id, chunks[c], now)]);
        await Parallel.ForEachAsync(batches.SelectMany(b => b),
            new ParallelOptions { MaxDegreeOfParallelism = WriteConcurrency, CancellationToken = cancellationToken },
            async (batch, ct) => await AddBatchAsync(Items(workflow.Id, batch.Chunk), batch.Actions, ct));
        var written = time.GetTimestamp();
        var open = chunks.Where(c => NeedsFirstMessage(c.Items.Any(i => !i.Terminal), c.Wave, c.NextWaveAt)).ToList();
        await Parallel.ForEachAsync(open,
            new ParallelOptions { MaxDegreeOfParallelism = WriteConcurrency, CancellationToken = cancellationToken },
            async (chunk, ct) => await SendFirstMessageAsync(workflow, chunk.Index, chunk.Wave,
                chunk.Wave < 0 && request.FirstMessageDelay is { } delay ? now + delay : chunk.NextWaveAt, ct));
        var sent = time.GetTimestamp();
        workflow = await MarkRunningAsync(workflow, cancellationToken);
        LogStarted(workflow.Id, workflow.Kind, workflow.ItemCount, workflow.ChunkCount);
        LogStartTimings(workflow.Id, (int)time.GetElapsedTime(clock, written).TotalMilliseconds, (int)time.GetElapsedTime(written, sent).TotalMilliseconds,
            (int)time.GetElapsedTime(sent).TotalMilliseconds);
        if (open.Count == 0)
        {
            await TryCompleteAsync(workflow.Id, cancellationToken); // nothing left to do: complete now, not never
            workflow = await GetAsync(workflow.Id, cancellationToken) ?? workflow;
        }
        return workflow;
    }

    /// <summary>
    /// Whether a chunk just written needs a message: a chunk seeded with every item closed (e.g. a
    /// campaign's planned skips) needs no wave; nor does one whose inline wave asked for no timer (as
    /// from the queue: a cancel or a new start wakes it).
    /// </summary>
    static bool NeedsFirstMessage(bool anyOpen, int wave, DateTimeOffset? nextWaveAt) => anyOpen && (wave < 0 || nextWaveAt is not null);

    /// <summary>A written chunk's first message: wave 0, or after an inline first wave the next one at its timer.</summary>
    Task SendFirstMessageAsync(WorkflowInfo workflow, int chunk, int wave, DateTimeOffset? nextWaveAt, CancellationToken cancellationToken) =>
        SendAsync(workflow.QueueName, new WorkflowMessage(workflow.Id, chunk, wave + 1), nextWaveAt is { } at ? at - time.GetUtcNow() : null, cancellationToken);

    /// <summary>A chunk about to be written: its items, and the wave they are at (-1: none ran yet) with that wave's timer.</summary>
    sealed record SeededChunk(int Index, WorkflowItem[] Items, int Wave = -1, DateTimeOffset? NextWaveAt = null);

    static SeededChunk Seed(WorkflowItemSeed[] chunk, int index) =>
        new(index, [.. chunk.Select(s => new WorkflowItem(s.Key, index, s.State ?? WorkflowItemStates.Pending, s.Terminal, 0, -1, null, null, s.Title, s.Subtitle, s.Data, null))]);

    /// <summary>Wave 0 of each chunk before anything is written (<see cref="StartAsync(WorkflowStartRequest, IWorkflowChunkProcessor?, CancellationToken)"/>).</summary>
    async Task<List<SeededChunk>> RunFirstWavesAsync(WorkflowInfo workflow, List<SeededChunk> chunks, IWorkflowChunkProcessor processor,
        CancellationToken cancellationToken)
    {
        var waved = new SeededChunk[chunks.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, chunks.Count),
            new ParallelOptions { MaxDegreeOfParallelism = FirstWaveConcurrency, CancellationToken = cancellationToken }, async (c, ct) =>
            {
                var chunk = chunks[c];
                var open = chunk.Items.Where(i => !i.Terminal).ToList();
                if (open.Count == 0) { waved[c] = chunk; return; }
                WorkflowChunkResult result;
                try
                {
                    // Bounded: the caller may be an admin's request, and a slow APNs must not hold it.
                    using var budget = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    budget.CancelAfter(FirstWaveBudget);
                    result = await processor.ProcessAsync(new WorkflowChunk(workflow, chunk.Index, 0, open), budget.Token);
                }
                catch (Exception e) when (!ct.IsCancellationRequested)
                {
                    LogFirstWaveFailed(e, workflow.Id, chunk.Index);
                    waved[c] = chunk;
                    return;
                }
                var now = time.GetUtcNow();
                var updated = result.Updated.ToDictionary(u => u.Key, StringComparer.Ordinal);
                waved[c] = new SeededChunk(chunk.Index, [.. chunk.Items.Select(i => updated.TryGetValue(i.Key, out var u) ? u with { Chunk = chunk.Index, Wave = 0 }
                    : i.Terminal ? i : i with { Wave = 0 })], 0, result.NextWaveAfter is { } after ? now + after : null);
            });
        return [.. waved];
    }

    /// <summary>
    /// A chunk's summary and its <see cref="ChunkManifest"/> (items as started, or as an inline
    /// first wave left them) in one transaction. Else (a manifest too big) the summary rides in
    /// the chunk's first transaction of item rows: 99 items + summary, then 100 items each.
    /// </summary>
    static IEnumerable<(int Chunk, List<TableTransactionAction> Actions)> Batches(string workflowId, SeededChunk seeded, DateTimeOffset now)
    {
        var (chunk, chunkItems) = (seeded.Index, seeded.Items);
        var counts = ChunkSummary.ForNewChunk(chunkItems);
        (counts.Wave, counts.NextWaveAt) = (seeded.Wave, seeded.NextWaveAt);
        if (ChunkManifest.ToEntities(WorkflowRows.PartitionKeyFor(workflowId, chunk), chunkItems) is { } manifest)
        {
            counts.ManifestRows = manifest.Count;
            yield return (chunk, [new(TableTransactionActionType.Add, counts.ToEntity(workflowId, chunk, now)),
                .. manifest.Select(m => new TableTransactionAction(TableTransactionActionType.Add, m))]);
            yield break;
        }
        var summary = counts.ToEntity(workflowId, chunk, now);
        var first = new List<TableTransactionAction> { new(TableTransactionActionType.Add, summary) };
        first.AddRange(chunkItems.Take(99).Select(i => Add(workflowId, i, now)));
        yield return (chunk, first);
        foreach (var rest in chunkItems.Skip(99).Chunk(100))
            yield return (chunk, [.. rest.Select(i => Add(workflowId, i, now))]);
    }

    static TableTransactionAction Add(string workflowId, WorkflowItem item, DateTimeOffset now) =>
        new(TableTransactionActionType.Add, WorkflowRows.ToEntity(workflowId, item with { UpdatedAt = now }));

    static async Task AddBatchAsync(TableClient items, List<TableTransactionAction> batch, CancellationToken cancellationToken)
    {
        // Batches are atomic and the same on every attempt: a conflict means an earlier attempt wrote this one.
        try { await items.SubmitTransactionAsync(batch, cancellationToken); }
        catch (StorageRequestFailedException e) when (e.IsConflict) { }
    }

    async Task<WorkflowInfo> MarkRunningAsync(WorkflowInfo workflow, CancellationToken cancellationToken)
    {
        while (true)
        {
            var running = workflow with { State = WorkflowStates.Running, StartedAt = workflow.StartedAt ?? time.GetUtcNow() };
            try
            {
                var etag = await workflows.UpdateEntityAsync(WorkflowRows.ToEntity(running), workflow.ETag, TableUpdateMode.Merge, cancellationToken);
                return running with { ETag = etag };
            }
            catch (StorageRequestFailedException e) when (e.IsPreconditionFailed)
            {
                workflow = await GetAsync(workflow.Id, cancellationToken) ?? throw new InvalidOperationException($"Workflow {workflow.Id} vanished.", e);
                if (workflow.State != WorkflowStates.Starting) return workflow; // cancelled, or another start finished first
            }
        }
    }

    /// <summary>Same kind + idempotency key → same id (so a repeated start finds the row); no key → a new id.</summary>
    static string IdFor(WorkflowStartRequest request)
    {
        if (request.IdempotencyKey is null) return Guid.NewGuid().ToString("N");
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(request.Kind + "\n" + request.IdempotencyKey));
        return Convert.ToHexStringLower(hash, 0, 16);
    }
}
