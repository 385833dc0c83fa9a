using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Platform.Workflows;

public sealed partial class WorkflowEngine
{
    /// <summary>
    /// Deletes up to <paramref name="limit"/> workflows that finished (completed, failed or
    /// cancelled: <c>CompletedAt</c> set) before <paramref name="finishedBefore"/>, with their chunk
    /// partitions (summary, manifest and item rows): chunks first, the workflow row last and only if
    /// it did not change meanwhile, so a sweep cut short is finished by the next one and a task view
    /// never shows chunks without their workflow. A start failed with <see cref="StartInterrupted"/>
    /// is kept: the same start again resumes it. Returns how many workflows it deleted.
    /// </summary>
    public async Task<int> DeleteFinishedAsync(DateTimeOffset finishedBefore, int limit, CancellationToken cancellationToken)
    {
        await EnsureTablesAsync(cancellationToken);
        var filter = TableFilter.PartitionKey.Eq(WorkflowRows.WorkflowPartition) & TableFilter.Property("CompletedAt").Lt(finishedBefore);
        var expired = new List<WorkflowInfo>();
        await foreach (var entity in workflows.QueryAsync(filter, cancellationToken: cancellationToken))
        {
            if (WorkflowRows.ToWorkflow(entity) is { Error: not StartInterrupted } workflow) expired.Add(workflow);
            if (expired.Count == limit) break;
        }
        var deleted = 0;
        foreach (var workflow in expired)
        {
            await TableBulk.ForEachAsync(Enumerable.Range(0, workflow.ChunkCount), (chunk, ct) => new(DeleteChunkAsync(workflow.Id, chunk, ct)), cancellationToken);
            try
            {
                if (await workflows.DeleteEntityAsync(WorkflowRows.WorkflowPartition, workflow.Id, workflow.ETag, cancellationToken)) deleted++;
            }
            catch (StorageRequestFailedException e) when (e.IsPreconditionFailed) { } // reopened meanwhile: it is live again
        }
        if (deleted > 0) LogFinishedDeleted(deleted, finishedBefore);
        return deleted;
    }

    async Task DeleteChunkAsync(string workflowId, int chunk, CancellationToken cancellationToken)
    {
        var table = Items(workflowId, chunk);
        var rows = new List<TableTransactionAction>();
        // PartitionKey too: a projection returns only the properties it names.
        await foreach (var row in table.QueryAsync(TableFilter.PartitionKey.Eq(WorkflowRows.PartitionKeyFor(workflowId, chunk)),
            ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
            rows.Add(new(TableTransactionActionType.Delete, new TableEntity(row.PartitionKey, row.RowKey), ETag.All));
        // Another sweep may delete some of them at the same time.
        await TableBulk.SubmitAsync(table, rows, TableBulk.DeleteOneByOne(table), cancellationToken);
    }

    [LoggerMessage(LogLevel.Information, "Deleted {Count} workflows finished before {FinishedBefore:u}, with their items")]
    partial void LogFinishedDeleted(int count, DateTimeOffset finishedBefore);
}
