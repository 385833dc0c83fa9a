using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Platform.Workflows;

/// <summary>Item counts per state and how many items are still open.</summary>
public sealed record WorkflowProgress(IReadOnlyDictionary<string, int> Counts, int Open);

public sealed partial class WorkflowEngine
{
    const int SummaryReadConcurrency = 16;

    /// <summary>
    /// Progress of a workflow: the final counts once finished, else the sum of its chunk summary
    /// rows (one point read per chunk, in parallel).
    /// </summary>
    public async Task<WorkflowProgress> GetProgressAsync(WorkflowInfo workflow, CancellationToken cancellationToken) =>
        workflow.FinalCounts is { } counts ? new WorkflowProgress(counts, 0) : await SumChunksAsync(workflow, cancellationToken);

    /// <summary>Every chunk's summary row (null: not written yet), one point read per chunk, in parallel.</summary>
    async Task<ChunkSummary?[]> ReadSummariesAsync(WorkflowInfo workflow, CancellationToken cancellationToken)
    {
        var summaries = new ChunkSummary?[workflow.ChunkCount];
        await Parallel.ForEachAsync(Enumerable.Range(0, workflow.ChunkCount),
            new ParallelOptions { MaxDegreeOfParallelism = SummaryReadConcurrency, CancellationToken = cancellationToken },
            async (chunk, ct) =>
            {
                var entity = await Items(workflow.Id, chunk).GetEntityAsync(WorkflowRows.PartitionKeyFor(workflow.Id, chunk), WorkflowRows.SummaryRowKey, cancellationToken: ct);
                summaries[chunk] = entity is null ? null : ChunkSummary.FromEntity(entity);
            });
        return summaries;
    }

    async Task<WorkflowProgress> SumChunksAsync(WorkflowInfo workflow, CancellationToken cancellationToken)
    {
        var summaries = await ReadSummariesAsync(workflow, cancellationToken);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var open = 0;
        foreach (var summary in summaries)
        {
            // A chunk not written yet (start in progress) is all pending.
            if (summary is null) continue;
            open += summary.Open;
            foreach (var (state, count) in summary.Counts) counts[state] = counts.GetValueOrDefault(state) + count;
        }
        var written = counts.Values.Sum();
        if (written < workflow.ItemCount)
        {
            counts[WorkflowItemStates.Pending] = counts.GetValueOrDefault(WorkflowItemStates.Pending) + workflow.ItemCount - written;
            open += workflow.ItemCount - written;
        }
        return new WorkflowProgress(counts, open);
    }

    /// <summary>One page of workflows (newest first within the page), filtered by state.</summary>
    public async Task<WorkflowPage> ListAsync(WorkflowFilter filter, string? continuationToken, int pageSize, CancellationToken cancellationToken)
    {
        await EnsureTablesAsync(cancellationToken);
        var query = TableFilter.PartitionKey.Eq(WorkflowRows.WorkflowPartition);
        var state = TableFilter.Property("State");
        query = filter switch
        {
            WorkflowFilter.Active => query & (state.Eq(WorkflowStates.Starting) | state.Eq(WorkflowStates.Running)),
            WorkflowFilter.Finished => query & (state.Eq(WorkflowStates.Completed) | state.Eq(WorkflowStates.Cancelled) | state.Eq(WorkflowStates.Failed)),
            _ => query,
        };
        var page = await workflows.QueryPageAsync(query, null, pageSize, PageTokens.Decode(continuationToken), cancellationToken);
        return new WorkflowPage([.. page.Entities.Select(WorkflowRows.ToWorkflow).OrderByDescending(w => w.CreatedAt)], PageTokens.Encode(page.Continuation));
    }

    /// <summary>
    /// One page of a workflow's items, chunk by chunk, in key order within a chunk: one query per
    /// chunk partition (in that chunk's table), never one query over all chunks — Azurite sorts
    /// every match of a query for each page, which for a 100,000-item campaign polled for progress
    /// was 100,000 rows sorted to return one.
    /// </summary>
    public async Task<WorkflowItemPage> GetItemsAsync(string workflowId, string? continuationToken, int pageSize, CancellationToken cancellationToken)
    {
        var workflow = await GetAsync(workflowId, cancellationToken);
        var start = PageTokens.Decode(continuationToken);
        if (workflow is null) return new WorkflowItemPage([], null);
        var (chunk, fromRowKey) = start is null ? (0, null) : (ChunkOf(workflowId, start.NextPartitionKey), start.NextRowKey);
        var found = new List<WorkflowItem>(pageSize);
        for (; chunk < workflow.ChunkCount; chunk++, fromRowKey = null)
        {
            // One row more than the page needs: its key is where the next page starts (our own
            // token, so pages never depend on the service's opaque continuation headers).
            var want = pageSize - found.Count;
            foreach (var item in await ChunkPageAsync(workflowId, chunk, fromRowKey, want + 1, cancellationToken))
            {
                if (found.Count == pageSize) return new WorkflowItemPage(found, NextPage(workflowId, chunk, item.Key));
                found.Add(item);
            }
            if (found.Count == pageSize)
                return new WorkflowItemPage(found, chunk + 1 < workflow.ChunkCount ? NextPage(workflowId, chunk + 1, null) : null);
        }
        return new WorkflowItemPage(found, null);
    }

    /// <summary>
    /// Up to <paramref name="max"/> items of a chunk in key order, from a row key on. One query;
    /// when it meets the chunk's manifest (it sorts first), the whole chunk is read and overlaid instead.
    /// </summary>
    async Task<List<WorkflowItem>> ChunkPageAsync(string workflowId, int chunk, string? fromRowKey, int max, CancellationToken cancellationToken)
    {
        var items = new List<WorkflowItem>(max);
        await foreach (var entity in Items(workflowId, chunk).QueryAsync(ChunkItems(workflowId, chunk, fromRowKey), null,
            Math.Min(max + ChunkManifest.MaxRows, 1000), max + ChunkManifest.MaxRows, cancellationToken))
        {
            if (ChunkManifest.IsManifestRow(entity.RowKey))
                return [.. (await OverlaidItemsAsync(workflowId, chunk, cancellationToken))
                    .Where(i => fromRowKey is null || string.CompareOrdinal(i.Key, fromRowKey) >= 0).Take(max)];
            if (items.Count < max) items.Add(WorkflowRows.ToItem(entity));
        }
        return items;
    }

    /// <summary>A chunk's items in key order, its manifest overlaid by the item rows already written (none when the chunk is not written).</summary>
    async Task<IEnumerable<WorkflowItem>> OverlaidItemsAsync(string workflowId, int chunk, CancellationToken cancellationToken) =>
        (await LoadChunkAsync(workflowId, chunk, cancellationToken))?.Items.Values.OrderBy(i => i.Key, StringComparer.Ordinal) ?? Enumerable.Empty<WorkflowItem>();

    static string? NextPage(string workflowId, int chunk, string? rowKey) =>
        PageTokens.Encode(new TableContinuationToken(WorkflowRows.PartitionKeyFor(workflowId, chunk), rowKey));

    /// <summary>A chunk partition's items from a row key on, and its manifest rows if it still has them (not its summary row).</summary>
    static TableFilter ChunkItems(string workflowId, int chunk, string? fromRowKey)
    {
        var filter = TableFilter.PartitionKey.Eq(WorkflowRows.PartitionKeyFor(workflowId, chunk)) & TableFilter.RowKey.Ge(ChunkManifest.RowKeyPrefix);
        return fromRowKey is null ? filter : filter & (TableFilter.RowKey.Lt(ChunkManifest.RowKeyEnd) | TableFilter.RowKey.Ge(fromRowKey));
    }

    /// <summary>The chunk a continuation points at; <see cref="FormatException"/> when it is not one of this workflow's.</summary>
    static int ChunkOf(string workflowId, string partitionKey) =>
        partitionKey.StartsWith(workflowId + ":", StringComparison.Ordinal)
        && int.TryParse(partitionKey.AsSpan(workflowId.Length + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var chunk)
            ? chunk : throw new FormatException("The continuation token is not valid.");
}
