using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Platform.Workflows;

public sealed partial class WorkflowEngine
{
    /// <summary>
    /// Up to <paramref name="max"/> of a workflow's items that are still open (not terminal), chunk
    /// by chunk. Chunks whose summary says nothing is open are not read.
    /// </summary>
    public async Task<IReadOnlyList<WorkflowItem>> GetOpenItemsAsync(WorkflowInfo workflow, int max, CancellationToken cancellationToken)
    {
        var found = new List<WorkflowItem>();
        if (max <= 0) return found;
        await EnsureTablesAsync(cancellationToken);
        var workflowId = workflow.Id;
        var summaries = await ReadSummariesAsync(workflow, cancellationToken);
        for (var chunk = 0; chunk < workflow.ChunkCount && found.Count < max; chunk++)
        {
            if (summaries[chunk] is { Open: 0 }) continue;
            if (summaries[chunk] is { ManifestRows: > 0 })
            {
                // Items not written as rows yet: the chunk overlaid on its manifest.
                found.AddRange((await OverlaidItemsAsync(workflowId, chunk, cancellationToken)).Where(i => !i.Terminal).Take(max - found.Count));
                continue;
            }
            var filter = ChunkItems(workflowId, chunk, null) & TableFilter.Property("Terminal").Eq(false);
            await foreach (var entity in Items(workflowId, chunk).QueryAsync(filter, cancellationToken: cancellationToken))
            {
                found.Add(WorkflowRows.ToItem(entity));
                if (found.Count >= max) break;
            }
        }
        return found;
    }
}
