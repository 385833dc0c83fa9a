using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Platform.Workflows;

public sealed partial class WorkflowEngine
{
    /// <summary>Up to <paramref name="max"/> of a workflow's items that are still open (not terminal), chunk by chunk.</summary>
    public async Task<IReadOnlyList<WorkflowItem>> GetOpenItemsAsync(string workflowId, int max, CancellationToken cancellationToken)
    {
        await EnsureTablesAsync(cancellationToken);
        var query = TableFilter.PartitionKey.Ge(workflowId + ":") & TableFilter.PartitionKey.Lt(workflowId + ";")
            & TableFilter.RowKey.Ne(WorkflowRows.SummaryRowKey) & TableFilter.Property("Terminal").Eq(false);
        var found = new List<WorkflowItem>();
        await foreach (var entity in items.QueryAsync(query, cancellationToken: cancellationToken))
        {
            found.Add(WorkflowRows.ToItem(entity));
            if (found.Count >= max) break;
        }
        return found;
    }
}
