using System.Globalization;
using ManagedDistribution.Features.Assignments.Members;
using ManagedDistribution.Features.Licenses;
using ManagedDistribution.Platform.Hosting;
using ManagedDistribution.Platform.Workflows;
using Microsoft.Extensions.Options;

namespace ManagedDistribution.Features.Assignments.DeviceGroups;

/// <summary>
/// The workflow that licenses a large group's granted members (kind <c>device-group-assignment</c>,
/// queue <c>assignments</c>): one item per batch of members (≤ 500, at most <c>maxSerialNumbers</c>),
/// <see cref="BatchesPerChunk"/> batches per chunk message: a chunk associates its batches at Apple
/// side by side and writes their rows together (full 100-row transactions in the bucket
/// partitions), chunks run in parallel across messages and instances. The
/// workflow's idempotency key is the reservation key: a repeated start finds the same workflow,
/// and each batch's settlements and commands are keyed by it, so a redelivered message redoes
/// nothing twice (see <see cref="LicenseBatch"/>).
/// </summary>
public sealed class GroupWorkflow(WorkflowEngine engine)
{
    public const string Kind = "device-group-assignment";
    public const string QueueName = "assignments";

    /// <summary>
    /// Batches per chunk message: 10,000 devices at 500 per batch, so a 50,000-device group is 5
    /// chunks in parallel, each filling ~40-row transactions in the 256 command buckets.
    /// </summary>
    public const int BatchesPerChunk = 20;

    /// <param name="membershipVersion">The group's membership version read before its members were (<see cref="DepartedMembers"/>); carried in every item.</param>
    public async Task<string> StartAsync(GroupContext context, string reservationKey, IReadOnlyList<BatchMember[]> batches, string? membershipVersion,
        CancellationToken cancellationToken)
    {
        var items = batches.Select((batch, i) => new WorkflowItemSeed(ItemKey(i), context.AssignmentId, $"{batch.Length} devices",
                LicenseBatch.Encode(batch, membershipVersion)))
            .ToList();
        var started = await engine.StartAsync(new WorkflowStartRequest(Kind, QueueName,
            $"Assign {context.ContentId} to device group {context.GroupId}", reservationKey, items, ChunkSize: BatchesPerChunk), cancellationToken);
        return started.Id;
    }

    public static string ItemKey(int batch) => "b" + batch.ToString("D5", CultureInfo.InvariantCulture);

    public static int BatchOf(string itemKey) => int.Parse(itemKey.AsSpan(1), CultureInfo.InvariantCulture);
}

/// <summary>
/// Runs the batches of one chunk together (<see cref="LicenseBatch.RunManyAsync"/>), then revokes
/// those of its devices that left the group meanwhile (<see cref="DepartedMembers"/>); items end
/// <c>licensed</c> (with how many Apple refused) or <c>cancelled</c> when the assignment was
/// revoked meanwhile. The install commands' key names the chunk: a redelivery (all or some of
/// the chunk's items) finds the same command per device.
/// </summary>
sealed class GroupChunkProcessor(GroupContexts contexts, LicenseBatch batches, LicenseLedger ledger, DepartedMembers departed) : IWorkflowChunkProcessor
{
    public async Task<WorkflowChunkResult> ProcessAsync(WorkflowChunk chunk, CancellationToken cancellationToken)
    {
        var reservationKey = chunk.Workflow.IdempotencyKey!;
        var ids = GroupContext.ParseAssignmentId(GroupContext.AssignmentIdOf(reservationKey))!.Value;
        var context = await contexts.LoadAsync(ids.GroupId, ids.ContentId, cancellationToken);
        var work = chunk.Items.Select(item => new LicenseBatchWork(GroupWorkflow.BatchOf(item.Key), LicenseBatch.Decode(item.Data))).ToList();
        if (context is null || context.Row.GetString("State") == GroupAssignmentStates.Revoking)
        {
            // Revoked (or being revoked) while licensing ran: give these batches' reserved licenses back.
            foreach (var batch in work)
                await ledger.ReleaseAsync(ids.ContentId, reservationKey, batch.Members.Count, $"batch-{batch.Batch}:cancelled", cancellationToken);
            return new([.. chunk.Items.Select(item => item with
            {
                State = MemberStates.Revoked, Terminal = true, Error = "The assignment was revoked before this batch ran.",
            })], null);
        }
        var refused = await batches.RunManyAsync(context, reservationKey, work, $"{reservationKey}:chunk-{chunk.Chunk}", cancellationToken);
        var versions = chunk.Items.Select(item => LicenseBatch.MembershipVersionOf(item.Data)).Distinct().ToList();
        await departed.RevokeAsync(context, [.. work.SelectMany(w => w.Members).Select(m => m.DeviceId)], $"{reservationKey}:chunk-{chunk.Chunk}",
            chunk.Workflow.CreatedAt, versions.Count == 1 ? versions[0] : null, cancellationToken);
        return new([.. chunk.Items.Select((item, i) => item with
        {
            State = MemberStates.Licensed, Terminal = true, Attempts = item.Attempts + 1,
            Error = refused[work[i].Batch] == 0 ? null : $"Apple refused {refused[work[i].Batch]} of {work[i].Members.Count} devices.",
        })], null);
    }
}

/// <summary>
/// Queue function <c>AssignmentQueue</c> (queue <c>assignments</c>): one wave of one chunk of a
/// device group workflow, handed to the processor of the workflow's kind (licensing or revocation).
/// </summary>
sealed class GroupQueueHandler(
    WorkflowEngine engine, GroupChunkProcessor licensing, GroupRevocationProcessor revocation, IOptions<HostingOptions> hosting,
    ILogger<GroupQueueHandler> logger) : IQueueHandler
{
    public async Task HandleAsync(QueueInvocation invocation, CancellationToken cancellationToken)
    {
        // Messages name only the workflow: its row says the kind (unknown workflows: the engine drops them).
        var workflow = WorkflowMessage.TryParse(invocation.MessageText) is { } message ? await engine.GetAsync(message.WorkflowId, cancellationToken) : null;
        IWorkflowChunkProcessor processor = workflow?.Kind == GroupRevocationWorkflow.Kind ? revocation : licensing;
        if (workflow is not null && workflow.Kind is not (GroupWorkflow.Kind or GroupRevocationWorkflow.Kind))
        {
            logger.LogWarning("Workflow {WorkflowId} of kind {WorkflowKind} on queue assignments has no processor; message dropped", workflow.Id, workflow.Kind);
            return;
        }
        await engine.RunChunkAsync(invocation, processor, hosting.Value.MaxDequeueCount, cancellationToken);
    }
}
