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

    async Task<WorkflowProgress> SumChunksAsync(WorkflowInfo workflow, CancellationToken cancellationToken)
    {
        var summaries = new ChunkSummary?[workflow.ChunkCount];
        await Parallel.ForEachAsync(Enumerable.Range(0, workflow.ChunkCount),
            new ParallelOptions { MaxDegreeOfParallelism = SummaryReadConcurrency, CancellationToken = cancellationToken },
            async (chunk, ct) =>
            {
                var entity = await items.GetEntityAsync(WorkflowRows.PartitionKeyFor(workflow.Id, chunk), WorkflowRows.SummaryRowKey, cancellationToken: ct);
                summaries[chunk] = entity is null ? null : ChunkSummary.FromEntity(entity);
            });
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

    /// <summary>One page of a workflow's items, chunk by chunk, in key order within a chunk.</summary>
    public async Task<WorkflowItemPage> GetItemsAsync(string workflowId, string? continuationToken, int pageSize, CancellationToken cancellationToken)
    {
        await EnsureTablesAsync(cancellationToken);
        var query = TableFilter.PartitionKey.Ge(workflowId + ":") & TableFilter.PartitionKey.Lt(workflowId + ";")
            & TableFilter.RowKey.Ne(WorkflowRows.SummaryRowKey);
        var page = await items.QueryPageAsync(query, null, pageSize, PageTokens.Decode(continuationToken), cancellationToken);
        return new WorkflowItemPage([.. page.Entities.Select(WorkflowRows.ToItem)], PageTokens.Encode(page.Continuation));
    }
}
