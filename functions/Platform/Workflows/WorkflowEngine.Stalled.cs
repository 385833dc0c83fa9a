using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Platform.Workflows;

public sealed partial class WorkflowEngine
{
    /// <summary>The error of a workflow whose start was interrupted before all its items were written; the same start again resumes it.</summary>
    public const string StartInterrupted = "The start was interrupted before every item was written; start the same again to resume it.";

    /// <summary>
    /// Finishes the starts whose caller died between the workflow row and its chunk messages: state
    /// <c>starting</c> for longer than <paramref name="olderThan"/> (a start takes seconds). With
    /// every chunk written, the messages the start would have sent are sent (a chunk that already
    /// ran drops a duplicate, as for any redelivery) and the workflow runs. With chunks missing, the
    /// items went down with the caller: the workflow fails with <see cref="StartInterrupted"/>, which
    /// says what to do, and the same start again resumes it (<see cref="ReopenInterruptedAsync"/>).
    /// Returns how many workflows it resumed or failed.
    /// </summary>
    public async Task<int> SweepStalledStartsAsync(TimeSpan olderThan, CancellationToken cancellationToken)
    {
        await EnsureTablesAsync(cancellationToken);
        var cutoff = time.GetUtcNow() - olderThan;
        var stalled = new List<WorkflowInfo>();
        var filter = TableFilter.PartitionKey.Eq(WorkflowRows.WorkflowPartition) & TableFilter.Property("State").Eq(WorkflowStates.Starting);
        await foreach (var entity in workflows.QueryAsync(filter, cancellationToken: cancellationToken))
            if (WorkflowRows.ToWorkflow(entity) is { } workflow && workflow.CreatedAt <= cutoff) stalled.Add(workflow);
        foreach (var workflow in stalled)
        {
            var summaries = await ReadSummariesAsync(workflow, cancellationToken);
            if (summaries.Any(s => s is null)) await FailInterruptedAsync(workflow, summaries.Count(s => s is not null), cancellationToken);
            else await ResumeAsync(workflow, summaries!, cancellationToken);
        }
        return stalled.Count;
    }

    /// <summary>The messages <see cref="StartAsync(WorkflowStartRequest, IWorkflowChunkProcessor?, CancellationToken)"/> sends after the items, then running.</summary>
    async Task ResumeAsync(WorkflowInfo workflow, ChunkSummary[] summaries, CancellationToken cancellationToken)
    {
        for (var chunk = 0; chunk < summaries.Length; chunk++)
            if (NeedsFirstMessage(summaries[chunk].Open > 0, summaries[chunk].Wave, summaries[chunk].NextWaveAt))
                await SendFirstMessageAsync(workflow, chunk, summaries[chunk].Wave, summaries[chunk].NextWaveAt, cancellationToken);
        var running = await MarkRunningAsync(workflow, cancellationToken);
        LogStalledStartResumed(workflow.Id, workflow.Kind, workflow.ChunkCount);
        if (running.State == WorkflowStates.Running && summaries.All(s => s.Open == 0)) await TryCompleteAsync(workflow.Id, cancellationToken);
    }

    async Task FailInterruptedAsync(WorkflowInfo workflow, int written, CancellationToken cancellationToken)
    {
        var failed = workflow with { State = WorkflowStates.Failed, Error = StartInterrupted, CompletedAt = time.GetUtcNow() };
        try
        {
            await workflows.UpdateEntityAsync(WorkflowRows.ToEntity(failed), workflow.ETag, TableUpdateMode.Merge, cancellationToken);
            LogStalledStartFailed(workflow.Id, workflow.Kind, written, workflow.ChunkCount);
        }
        catch (StorageRequestFailedException e) when (e.IsPreconditionFailed) { } // the start moved on meanwhile
    }

    /// <summary>A workflow failed by <see cref="StartInterrupted"/> back to <c>starting</c>, so that the repeated start finishes it.</summary>
    async Task<WorkflowInfo> ReopenInterruptedAsync(WorkflowInfo workflow, CancellationToken cancellationToken)
    {
        var reopened = workflow with { State = WorkflowStates.Starting, Error = null, CompletedAt = null };
        try
        {
            // Replace, not merge: the columns it clears must go.
            return reopened with { ETag = await workflows.UpdateEntityAsync(WorkflowRows.ToEntity(reopened), workflow.ETag, TableUpdateMode.Replace, cancellationToken) };
        }
        catch (StorageRequestFailedException e) when (e.IsPreconditionFailed)
        {
            return await GetAsync(workflow.Id, cancellationToken) ?? workflow; // another start reopened it first
        }
    }

    [LoggerMessage(LogLevel.Warning, "Workflow {WorkflowId} ({WorkflowKind}) was left starting with all {ChunkCount} chunks written: its chunk messages are sent now")]
    partial void LogStalledStartResumed(string workflowId, string workflowKind, int chunkCount);

    [LoggerMessage(LogLevel.Warning, "Workflow {WorkflowId} ({WorkflowKind}) was left starting with {Written} of {ChunkCount} chunks written: failed until the same start is repeated")]
    partial void LogStalledStartFailed(string workflowId, string workflowKind, int written, int chunkCount);
}
