using ManagedDistribution.Platform.Hosting;
using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Platform.Workflows;

public sealed partial class WorkflowEngine
{
    /// <summary>Commits that lose an ETag race are re-evaluated in place this many times before the message is retried.</summary>
    const int CommitRaces = 3;

    /// <summary>
    /// Handles one chunk message of a kind's queue function: cancellation first, then the wave
    /// check (a message for a wave already committed is a duplicate, unless it is the redelivery of
    /// the message that committed it, which re-arms the timer), then the processor on the chunk's
    /// open items not yet handled in this wave, one conditional commit, the next durable timer, and
    /// completion. On the message's last delivery a failure marks the workflow failed.
    /// </summary>
    public async Task RunChunkAsync(QueueInvocation invocation, IWorkflowChunkProcessor processor, int maxDequeueCount,
        CancellationToken cancellationToken)
    {
        if (WorkflowMessage.TryParse(invocation.MessageText) is not { } message)
        {
            LogMalformed();
            return;
        }
        try
        {
            await RunChunkRacingAsync(message, invocation.MessageId, invocation.DequeueCount, processor, cancellationToken);
        }
        catch (Exception e) when (invocation.DequeueCount >= maxDequeueCount && e is not OperationCanceledException)
        {
            LogFailed(e, message.WorkflowId, message.Chunk, invocation.DequeueCount);
            await MarkFailedAsync(message.WorkflowId, $"Chunk {message.Chunk} failed: {e.Message}", cancellationToken);
            throw;
        }
    }

    /// <summary>
    /// Runs wave 0 of a chunk now, in the caller, as its queue message would (load, process, commit,
    /// complete). For work a request does inline that must not be lost with the request: start the
    /// workflow with <see cref="WorkflowStartRequest.FirstMessageDelay"/> longer than the inline run
    /// takes, then run each chunk here. The chunk's own message then finds wave 0 committed and is
    /// dropped as a duplicate; if the caller died (or this threw) first, that message runs the wave.
    /// </summary>
    public Task RunFirstWaveNowAsync(string workflowId, int chunk, IWorkflowChunkProcessor processor, CancellationToken cancellationToken) =>
        RunChunkRacingAsync(new WorkflowMessage(workflowId, chunk, 0), "inline-" + Guid.NewGuid().ToString("N"), 1, processor, cancellationToken);

    /// <summary>One run of the message's wave; a commit that loses an ETag race is re-evaluated in place (<see cref="CommitRaces"/>).</summary>
    async Task RunChunkRacingAsync(WorkflowMessage message, string? messageId, long dequeueCount, IWorkflowChunkProcessor processor,
        CancellationToken cancellationToken)
    {
        for (var race = 1; ; race++)
        {
            try
            {
                await RunChunkOnceAsync(message, messageId, dequeueCount, processor, cancellationToken);
                return;
            }
            catch (StorageRequestFailedException e) when (e.IsPreconditionFailed && race < CommitRaces) { }
        }
    }

    async Task RunChunkOnceAsync(WorkflowMessage message, string? messageId, long dequeueCount, IWorkflowChunkProcessor processor,
        CancellationToken cancellationToken)
    {
        var (id, chunk, wave) = (message.WorkflowId, message.Chunk, message.Attempt);
        var started = time.GetTimestamp();
        var startedAt = time.GetUtcNow();
        var workflow = await GetAsync(id, cancellationToken);
        using var turn = workflow is null || message.Woken is not null ? null : await processor.TakeTurnAsync(workflow, wave, cancellationToken);
        if (turn is { Waited.Ticks: > 0 }) workflow = await GetAsync(id, cancellationToken); // cancelled or finished meanwhile?
        if (workflow is null || workflow.State is WorkflowStates.Completed or WorkflowStates.Failed || workflow.CompletedAt is not null)
        {
            LogSkipped(id, chunk, wave, workflow is null ? "unknown workflow" : "workflow finished");
            return;
        }
        if (await LoadChunkAsync(id, chunk, cancellationToken) is not { } loaded)
        {
            LogSkipped(id, chunk, wave, "no such chunk");
            return;
        }
        var (summary, chunkItems) = (loaded.Summary, loaded.Items);
        if (workflow.CancelRequested)
        {
            await CancelChunkAsync(workflow, chunk, loaded, cancellationToken);
            return;
        }
        if (message.Woken is { } woken)
        {
            // A wake: its own redelivery re-arms the timer below; else the next wave, unless none is due
            // (nothing open, the first wave not run yet) or one began after the wake's time (it saw the event).
            if (summary.Wave >= 0 && IsOwnCommit(summary, messageId, dequeueCount)) wave = summary.Wave;
            else if (summary.Open == 0 || summary.Wave < 0 || summary.WaveStartedAt >= woken)
            {
                LogSkipped(id, chunk, wave, "wake already served");
                return;
            }
            else wave = summary.Wave + 1;
        }
        if (summary.Wave > wave || (summary.Wave == wave && !IsOwnCommit(summary, messageId, dequeueCount)))
        {
            LogSkipped(id, chunk, wave, "duplicate or stale wave");
            // The run that committed may have died before completing the workflow (an inline run has
            // no redelivery of its own: RunFirstWaveNowAsync); completing is idempotent.
            if (summary.Open == 0) await TryCompleteAsync(id, cancellationToken);
            return;
        }
        if (summary.Wave < wave)
        {
            var open = chunkItems.Values.Where(i => !i.Terminal && i.Wave < wave).ToList();
            var ready = time.GetTimestamp();
            var result = open.Count == 0 ? new WorkflowChunkResult([], null)
                : await processor.ProcessAsync(new WorkflowChunk(workflow, chunk, wave, open) { Turn = turn }, cancellationToken);
            turn?.Dispose(); // the commit below needs no turn: the next waiting wave may load meanwhile
            var nextAt = result.NextWaveAfter is { } after ? time.GetUtcNow() + after : (DateTimeOffset?)null;
            var processed = time.GetTimestamp();
            summary = await CommitAsync(id, chunk, loaded, result.Updated, wave, (messageId, nextAt, startedAt), cancellationToken);
            LogTimings(id, chunk, wave, open.Count, (int)time.GetElapsedTime(started, ready).TotalMilliseconds,
                (int)time.GetElapsedTime(ready, processed).TotalMilliseconds, (int)time.GetElapsedTime(processed).TotalMilliseconds);
        }
        // Committed now or by an earlier delivery of this very message: arm the timer or finish.
        if (summary.Open > 0 && summary.NextWaveAt is { } at)
            await SendAsync(workflow.QueueName, new WorkflowMessage(id, chunk, wave + 1), at - time.GetUtcNow(), cancellationToken);
        else if (summary.Open == 0)
            await TryCompleteAsync(workflow.Id, cancellationToken);
    }

    /// <summary>Without a message id (some hosts) a redelivery is recognised by its dequeue count alone.</summary>
    static bool IsOwnCommit(ChunkSummary summary, string? messageId, long dequeueCount) =>
        messageId is null ? dequeueCount > 1 : summary.WaveMessageId == messageId;

    /// <summary>
    /// A chunk as read: its summary, its items by key, and while its <see cref="ChunkManifest"/>
    /// lives, the keys of the items that are only in it (not rows yet) and the manifest's row keys.
    /// </summary>
    sealed record LoadedChunk(ChunkSummary Summary, Dictionary<string, WorkflowItem> Items, HashSet<string> Unwritten, List<string> ManifestRowKeys);

    /// <summary>The chunk's partition (summary, manifest, item rows; the rows win over the manifest), or null when there is none.</summary>
    async Task<LoadedChunk?> LoadChunkAsync(string workflowId, int chunk, CancellationToken cancellationToken)
    {
        ChunkSummary? summary = null;
        var chunkItems = new Dictionary<string, WorkflowItem>(StringComparer.Ordinal);
        var manifest = new List<TableEntity>();
        await foreach (var entity in Items(workflowId, chunk).QueryAsync(TableFilter.PartitionKey.Eq(WorkflowRows.PartitionKeyFor(workflowId, chunk)), cancellationToken: cancellationToken))
        {
            if (entity.RowKey == WorkflowRows.SummaryRowKey) summary = ChunkSummary.FromEntity(entity);
            else if (ChunkManifest.IsManifestRow(entity.RowKey)) manifest.Add(entity);
            else chunkItems[entity.RowKey] = WorkflowRows.ToItem(entity);
        }
        if (summary is null) return null;
        var unwritten = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in ChunkManifest.Read(manifest, chunk))
            if (chunkItems.TryAdd(item.Key, item)) unwritten.Add(item.Key);
        return new(summary, chunkItems, unwritten, [.. manifest.Select(m => m.RowKey)]);
    }

    async Task CancelChunkAsync(WorkflowInfo workflow, int chunk, LoadedChunk loaded, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var cancelled = loaded.Items.Values.Where(i => !i.Terminal)
            .Select(i => i with { State = WorkflowItemStates.Cancelled, Terminal = true, Error = "cancelled", UpdatedAt = now }).ToList();
        if (cancelled.Count > 0)
        {
            await CommitAsync(workflow.Id, chunk, loaded, cancelled, loaded.Summary.Wave, null, cancellationToken);
        }
        await TryCompleteAsync(workflow.Id, cancellationToken);
    }

    /// <summary>
    /// Writes the changed items with the chunk summary in transactions of 99 items + summary,
    /// each conditional on the summary's ETag (412 when another handler committed this chunk first).
    /// The wave marker (wave, message, next-wave time) goes with the last transaction only, so a
    /// crash part-way leaves the wave uncommitted and its redelivery handles the remaining items.
    /// A chunk whose items all live in its manifest keeps them there (<see cref="CommitToManifestAsync"/>).
    /// Otherwise items still only in the manifest (it outgrew one, or a commit of an earlier version
    /// died part-way) are inserted, changed or not, and the manifest is deleted in the last
    /// transaction; the others are merged.
    /// </summary>
    async Task<ChunkSummary> CommitAsync(string workflowId, int chunk, LoadedChunk loaded, IReadOnlyList<WorkflowItem> updated, int wave,
        (string? MessageId, DateTimeOffset? NextWaveAt, DateTimeOffset StartedAt)? waveMarker, CancellationToken cancellationToken)
    {
        var (summary, before, unwritten) = (loaded.Summary, loaded.Items, loaded.Unwritten);
        var now = time.GetUtcNow();
        var changes = updated.Where(u => before.ContainsKey(u.Key)).DistinctBy(u => u.Key, StringComparer.Ordinal)
            .Select(u => u with { Chunk = chunk, Wave = wave, UpdatedAt = now }).ToList();
        // Every item still in the manifest: it stays there, rewritten (one transaction).
        if (unwritten.Count == before.Count && loaded.ManifestRowKeys.Count > 0
            && await CommitToManifestAsync(workflowId, chunk, loaded, changes, (wave, waveMarker), now, cancellationToken) is { } kept)
            return kept;
        var changed = changes.Select(c => c.Key).ToHashSet(StringComparer.Ordinal);
        var writes = changes.Concat(unwritten.Where(k => !changed.Contains(k)).Select(k => before[k] with { UpdatedAt = now })).ToList();
        var batches = writes.Count == 0 ? [[]] : writes.Chunk(99).ToList();
        var deletes = loaded.ManifestRowKeys;
        if (deletes.Count > 0 && batches[^1].Length + deletes.Count > 99) batches.Add([]);
        for (var b = 0; b < batches.Count; b++)
        {
            var last = b == batches.Count - 1;
            foreach (var item in batches[b].Where(i => changed.Contains(i.Key))) summary.Apply(before[item.Key], item);
            if (last && waveMarker is { } marker)
                (summary.Wave, summary.WaveMessageId, summary.NextWaveAt, summary.WaveStartedAt) = (wave, marker.MessageId, marker.NextWaveAt, marker.StartedAt);
            else if (last) summary.NextWaveAt = null;
            if (last) summary.ManifestRows = 0;
            var actions = new List<TableTransactionAction> { new(TableTransactionActionType.UpdateReplace, summary.ToEntity(workflowId, chunk, now), summary.ETag) };
            // Items merge (in place on Azurite; cleared columns written empty); the summary's ETag guards the chunk.
            actions.AddRange(batches[b].Select(i => unwritten.Contains(i.Key)
                ? new TableTransactionAction(TableTransactionActionType.Add, WorkflowRows.ToEntity(workflowId, i))
                : new TableTransactionAction(TableTransactionActionType.UpdateMerge, WorkflowRows.ToMergeEntity(workflowId, i))));
            if (last)
                actions.AddRange(deletes.Select(rowKey => new TableTransactionAction(TableTransactionActionType.Delete,
                    new TableEntity(WorkflowRows.PartitionKeyFor(workflowId, chunk), rowKey))));
            var etags = await Items(workflowId, chunk).SubmitTransactionAsync(actions, cancellationToken);
            summary.ETag = etags[0];
            foreach (var item in batches[b])
            {
                before[item.Key] = item;
                unwritten.Remove(item.Key);
            }
        }
        deletes.Clear();
        return summary;
    }
}
