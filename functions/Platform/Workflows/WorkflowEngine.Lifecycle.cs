using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Platform.Workflows;

public sealed partial class WorkflowEngine
{
    /// <summary>
    /// Cancels a workflow: flag and state <c>cancelled</c> on the row, then one message per chunk so
    /// each chunk closes its open items now rather than at its next timer. Idempotent; completed
    /// or failed workflows answer <see cref="CancelOutcome.AlreadyFinished"/>.
    /// </summary>
    public async Task<(CancelOutcome Outcome, WorkflowInfo? Workflow)> CancelAsync(string workflowId, CancellationToken cancellationToken)
    {
        while (true)
        {
            var workflow = await GetAsync(workflowId, cancellationToken);
            if (workflow is null) return (CancelOutcome.NotFound, null);
            if (workflow.State is WorkflowStates.Completed or WorkflowStates.Failed) return (CancelOutcome.AlreadyFinished, workflow);
            if (workflow.CancelRequested) return (CancelOutcome.Cancelled, workflow);
            var cancelled = workflow with { State = WorkflowStates.Cancelled, CancelRequested = true };
            try
            {
                var etag = await workflows.UpdateEntityAsync(WorkflowRows.ToEntity(cancelled), workflow.ETag, TableUpdateMode.Merge, cancellationToken);
                cancelled = cancelled with { ETag = etag };
            }
            catch (StorageRequestFailedException e) when (e.IsPreconditionFailed) { continue; }
            for (var chunk = 0; chunk < cancelled.ChunkCount; chunk++)
                await SendAsync(cancelled.QueueName, new WorkflowMessage(cancelled.Id, chunk, 0), null, cancellationToken);
            return (CancelOutcome.Cancelled, cancelled);
        }
    }

    /// <summary>
    /// Runs a chunk's next wave after <paramref name="delay"/> instead of at its timer: something its
    /// waves look for happened (a campaign: a user enrolled, a device answered). The message carries
    /// its due time and is dropped when a wave of the chunk began at or after it (that wave saw
    /// everything before), when nothing is open, or before the chunk's first wave; so wakes are
    /// never lost to a racing wave, and callers may send one per delay window for many events.
    /// The overtaken timer message finds its wave committed and is dropped; the woken wave arms the next.
    /// </summary>
    public async Task WakeChunkAsync(string workflowId, int chunk, TimeSpan delay, CancellationToken cancellationToken)
    {
        var workflow = await GetAsync(workflowId, cancellationToken);
        if (workflow is null || workflow.CompletedAt is not null || workflow.State is not WorkflowStates.Running || chunk < 0 || chunk >= workflow.ChunkCount)
            return;
        await SendAsync(workflow.QueueName, new WorkflowMessage(workflowId, chunk, 0, time.GetUtcNow() + delay), delay, cancellationToken);
    }

    /// <summary>When every chunk has closed its items: final counts on the row, state completed (or kept cancelled), CompletedAt.</summary>
    async Task TryCompleteAsync(string workflowId, CancellationToken cancellationToken)
    {
        while (true)
        {
            var workflow = await GetAsync(workflowId, cancellationToken);
            if (workflow is null || workflow.CompletedAt is not null || workflow.State is WorkflowStates.Failed) return;
            var progress = await SumChunksAsync(workflow, cancellationToken);
            if (progress.Open > 0) return;
            var finished = workflow with
            {
                State = workflow.CancelRequested ? WorkflowStates.Cancelled : WorkflowStates.Completed,
                CompletedAt = time.GetUtcNow(),
                FinalCounts = progress.Counts,
            };
            try
            {
                await workflows.UpdateEntityAsync(WorkflowRows.ToEntity(finished), workflow.ETag, TableUpdateMode.Merge, cancellationToken);
                LogFinished(workflowId, finished.State);
                return;
            }
            catch (StorageRequestFailedException e) when (e.IsPreconditionFailed) { }
        }
    }

    async Task MarkFailedAsync(string workflowId, string error, CancellationToken cancellationToken)
    {
        while (true)
        {
            var workflow = await GetAsync(workflowId, cancellationToken);
            if (workflow is null || workflow.CompletedAt is not null) return;
            var failed = workflow with { State = WorkflowStates.Failed, Error = error, CompletedAt = time.GetUtcNow() };
            try
            {
                await workflows.UpdateEntityAsync(WorkflowRows.ToEntity(failed), workflow.ETag, TableUpdateMode.Merge, cancellationToken);
                return;
            }
            catch (StorageRequestFailedException e) when (e.IsPreconditionFailed) { }
        }
    }
}
