using ManagedDistribution.Features.Assignments.Members;
using ManagedDistribution.Features.LocationTokens;
using ManagedDistribution.Platform.Storage;
using ManagedDistribution.Platform.Workflows;

namespace ManagedDistribution.Features.Assignments.DeviceGroups;

/// <summary>
/// Runs the batches of one chunk of a <see cref="GroupRevocationWorkflow"/>: reads the members'
/// current rows (already revoked ones are skipped) and the coverage by other assignments once
/// for the chunk, then <see cref="GroupRevocation.RevokeAsync(GroupContext, IReadOnlyList{AssignmentMember}, string, string, IReadOnlyDictionary{string, string}?, CancellationToken)"/>
/// per batch with the step key <c>{workflowId}-b{batch}</c>: the same on every delivery, so a
/// redelivered chunk returns no license twice. The DELETE's finish item waits (durable timer)
/// until no other chunk has open items, then removes the assignment, its member rows and its
/// waiting-list entries, or, when Apple refused some devices, puts the assignment back to
/// <c>active</c> (a new DELETE retries them under the next attempt's key).
/// </summary>
sealed class GroupRevocationProcessor(
    GroupContexts contexts, GroupRevocation revocation, AssignmentStore store, AssignmentMemberStore members, WorkflowEngine engine,
    TimeProvider time, ILogger<GroupRevocationProcessor> logger) : IWorkflowChunkProcessor
{
    /// <summary>How often the finish item looks whether the other chunks are done.</summary>
    static readonly TimeSpan FinishPoll = TimeSpan.FromSeconds(1);
    /// <summary>How long a chunk waits when the location token does not allow writes (revocation needs Apple).</summary>
    static readonly TimeSpan TokenRetry = TimeSpan.FromMinutes(1);

    public async Task<WorkflowChunkResult> ProcessAsync(WorkflowChunk chunk, CancellationToken cancellationToken)
    {
        var key = chunk.Workflow.IdempotencyKey!;
        var ids = GroupContext.ParseAssignmentId(GroupContext.AssignmentIdOf(key))!.Value;
        var delete = GroupRevocationWorkflow.IsDelete(key);
        var context = await contexts.LoadAsync(ids.GroupId, ids.ContentId, cancellationToken);
        if (context is { NeedsLicense: true } && context.Token?.Health.AllowsWrites() != true)
        {
            logger.LogWarning("Revocation {WorkflowId} of {AssignmentId} waits: the location token does not allow writes", chunk.Workflow.Id, context.AssignmentId);
            return new([], TokenRetry);
        }
        var updated = new List<WorkflowItem>();
        var batches = chunk.Items.Where(i => i.Key != GroupRevocationWorkflow.FinishKey).ToList();
        if (batches.Count > 0) updated.AddRange(await RevokeBatchesAsync(chunk.Workflow.Id, context, batches, delete, cancellationToken));
        if (chunk.Items.FirstOrDefault(i => i.Key == GroupRevocationWorkflow.FinishKey) is not { } finish) return new(updated, null);
        var othersOpen = (await engine.GetOpenItemsAsync(chunk.Workflow, GroupWorkflow.BatchesPerChunk + 2, cancellationToken))
            .Any(i => i.Chunk != chunk.Chunk);
        if (othersOpen) return new(updated, FinishPoll);
        updated.Add(await FinishAsync(context, finish, cancellationToken));
        return new(updated, null);
    }

    async Task<List<WorkflowItem>> RevokeBatchesAsync(string workflowId, GroupContext? context, List<WorkflowItem> batches, bool delete,
        CancellationToken cancellationToken)
    {
        if (context is null)
            return [.. batches.Select(i => i with { State = MemberStates.Revoked, Terminal = true, Error = "The assignment is gone; nothing to revoke." })];
        var work = batches.Select(i => (Item: i, Members: LicenseBatch.Decode(i.Data))).ToList();
        var rows = await revocation.MemberRowsAsync(context, [.. work.SelectMany(w => w.Members).Select(m => m.DeviceId)], cancellationToken);
        var cover = await revocation.CoverageAsync(context, rows.Keys.ToHashSet(StringComparer.Ordinal), cancellationToken);
        var reason = delete ? MemberReasons.AssignmentDeleted : MemberReasons.LeftGroup;
        var updated = new List<WorkflowItem>();
        foreach (var (item, batchMembers) in work)
        {
            var live = batchMembers.Select(m => rows.GetValueOrDefault(m.DeviceId)).OfType<AssignmentMember>().ToList();
            var step = $"{workflowId}-b{GroupRevocationWorkflow.BatchOf(item.Key)}";
            var outcome = await revocation.RevokeAsync(context, live, reason, step, cover, cancellationToken);
            updated.Add(item with
            {
                State = MemberStates.Revoked, Terminal = true, Attempts = item.Attempts + 1, LastAttemptAt = time.GetUtcNow(),
                Error = outcome.Refused == 0 ? null : $"Apple refused to disassociate {outcome.Refused} of {batchMembers.Count} devices.",
            });
        }
        return updated;
    }

    async Task<WorkflowItem> FinishAsync(GroupContext? context, WorkflowItem finish, CancellationToken cancellationToken)
    {
        var done = finish with { State = "removed", Terminal = true, Attempts = finish.Attempts + 1, LastAttemptAt = time.GetUtcNow() };
        if (context is null) return done;
        var kept = 0;
        await foreach (var member in members.AllAsync(TargetKinds.DeviceGroup, context.GroupId, context.ContentId, cancellationToken: cancellationToken))
            if (member.State != MemberStates.Revoked) kept++;
        if (kept > 0)
        {
            var row = context.Row;
            row["State"] = GroupAssignmentStates.Active;
            row["RevokeAttempts"] = (row.GetInt32("RevokeAttempts") ?? 0) + 1;
            row["UpdatedAt"] = time.GetUtcNow();
            await store.SaveAsync(row, cancellationToken);
            logger.LogWarning("Revocation of {AssignmentId}: {Kept} members could not be revoked; the assignment is kept", context.AssignmentId, kept);
            return done with { State = "kept", Error = $"{kept} members could not be revoked (Apple refused); the assignment is kept, DELETE it again." };
        }
        await revocation.RemoveWaitingAsync(context, cancellationToken);
        try { await members.DeleteAllAsync(TargetKinds.DeviceGroup, context.GroupId, context.ContentId, cancellationToken); }
        catch (StorageRequestFailedException e) when (e.IsNotFound)
        {
            // A duplicate delivery of this chunk deleted some rows first: delete what is left.
            await members.DeleteAllAsync(TargetKinds.DeviceGroup, context.GroupId, context.ContentId, cancellationToken);
        }
        await store.DeleteAsync(TargetKinds.DeviceGroup, context.GroupId, context.ContentId, cancellationToken);
        logger.LogInformation("Revoked {ContentId} from device group {GroupId} (workflow): assignment removed", context.ContentId, context.GroupId);
        return done;
    }
}
