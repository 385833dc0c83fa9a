using System.Security.Cryptography;
using System.Text;
using ManagedDistribution.Features.Directory;
using ManagedDistribution.Platform.Hosting;
using ManagedDistribution.Platform.Workflows;
using Microsoft.Extensions.Options;

namespace ManagedDistribution.Features.Invitations;

/// <summary>
/// A user group's managed distribution turned on or off for more members than run in a request
/// (kind <c>group-managed-distribution</c>, queue <c>manageddistribution</c>): one item per member to
/// change, chunks of <see cref="InvitationsOptions.GroupChunkSize"/>; the action is in the idempotency key.
/// Each chunk re-reads its members' states, registers or retires those still to change (Apple's
/// calls in chunks of its live limit, every event followed) and saves them, so a redelivered chunk
/// skips members already done. Idempotency key = group + action + a digest of the members + when
/// it was asked: the same change asked again later (after a disable) is a new task; while one runs
/// for the group, asking the same again answers that task (<see cref="RunningForAsync"/>).
/// </summary>
public sealed class GroupManagedDistributionWorkflow(WorkflowEngine engine, IOptions<InvitationsOptions> options, TimeProvider time)
{
    public const string Kind = "group-managed-distribution";
    public const string QueueName = "manageddistribution";
    public const string Enable = "enable";
    public const string Disable = "disable";

    public async Task<WorkflowInfo> StartAsync(string groupId, bool enable, IReadOnlyList<string> userIds, CancellationToken cancellationToken)
    {
        var action = enable ? Enable : Disable;
        var subtitle = enable ? "registered at Apple" : "retired at Apple";
        var reason = $"User group {groupId}: managed distribution {(enable ? "enabled" : "disabled")} for {userIds.Count} members";
        // In directory bucket order: a chunk's users and states are then a few buckets' narrow id ranges
        // (one range read per bucket); in any order every chunk read nearly every user of the group.
        var ordered = userIds.OrderBy(UserEntity.BucketOf).ThenBy(id => id, StringComparer.Ordinal);
        return await engine.StartAsync(new WorkflowStartRequest(Kind, QueueName, reason, IdempotencyKey(groupId, action, userIds, time.GetUtcNow()),
            [.. ordered.Select(id => new WorkflowItemSeed(id, id, subtitle))], options.Value.GroupChunkSize), cancellationToken);
    }

    /// <summary>The group's change still running (starting or running), if any.</summary>
    public async Task<WorkflowInfo?> RunningForAsync(string groupId, CancellationToken cancellationToken)
    {
        string? continuation = null;
        do
        {
            var page = await engine.ListAsync(WorkflowFilter.Active, continuation, 100, cancellationToken);
            if (page.Workflows.FirstOrDefault(w => w.Kind == Kind && w.IdempotencyKey is { } key && GroupOf(key) == groupId) is { } running)
                return running;
            continuation = page.ContinuationToken;
        }
        while (continuation is not null);
        return null;
    }

    /// <summary>Whether the task enables (true) or disables.</summary>
    public static bool Enables(WorkflowInfo workflow) => workflow.IdempotencyKey!.Split('|')[1] == Enable;

    /// <summary><c>{groupId}|{action}|{digest}-{ticks}</c>; the digest (SHA-256 of the sorted member ids, 128 bits hex) has no '|'.</summary>
    internal static string IdempotencyKey(string groupId, string action, IEnumerable<string> userIds, DateTimeOffset askedAt)
    {
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', userIds.Order(StringComparer.Ordinal))));
        return $"{groupId}|{action}|{Convert.ToHexStringLower(digest.AsSpan(0, 16))}-{askedAt.UtcTicks}";
    }

    static string GroupOf(string idempotencyKey) => idempotencyKey[..idempotencyKey.IndexOf('|', StringComparison.Ordinal)];
}

/// <summary>
/// One chunk of a group's managed-distribution change: the members still to change are registered
/// or retired through <see cref="GroupManagedDistribution.ApplyAsync"/> (the same code as a small
/// group's request). Items end as <c>registered</c>, <c>enrolled</c> (a Managed Apple Account),
/// <c>retired</c>, <c>unchanged</c> (done already, by an earlier delivery or by someone else) or
/// <c>failed</c> (Apple did not list the user after creating them). An error from Apple throws:
/// the chunk's message is retried.
/// </summary>
public sealed class GroupManagedDistributionProcessor(GroupManagedDistribution groups, ManagedDistributionStore states,
    AppleUserRegistration registration) : IWorkflowChunkProcessor
{
    public async Task<WorkflowChunkResult> ProcessAsync(WorkflowChunk chunk, CancellationToken cancellationToken)
    {
        if (chunk.Items.Count == 0) return new([], null);
        var enable = GroupManagedDistributionWorkflow.Enables(chunk.Workflow);
        if (await registration.InstalledLocationAsync(cancellationToken) is not { } location)
            return new([.. chunk.Items.Select(i => Done(i, "failed", "No usable location token is installed (exactly one, healthy); change the group again once it is."))], null);
        var current = await states.ReadManyAsync([.. chunk.Items.Select(i => i.Key)], cancellationToken);
        var todo = current.Values.Where(s => GroupManagedDistribution.NeedsChange(s, enable)).ToList();
        var (saved, notRegistered) = todo.Count == 0 ? ([], []) : await groups.ApplyAsync(todo, enable, location, current, cancellationToken);
        var after = saved.ToDictionary(s => s.UserId, StringComparer.Ordinal);
        var missing = notRegistered.ToHashSet(StringComparer.Ordinal);
        return new([.. chunk.Items.Select(item =>
            missing.Contains(item.Key) ? Done(item, "failed", "Apple did not list the user after creating them; enable the group again to retry.")
            : after.TryGetValue(item.Key, out var state) ? Done(item, StateOf(state), null)
            : Done(item, "unchanged", null))], null);
    }

    static string StateOf(ManagedDistributionState state) => state.Status switch
    {
        EnrolmentStatus.Enrolled => "enrolled",
        EnrolmentStatus.Retired => "retired",
        _ => "registered",
    };

    static WorkflowItem Done(WorkflowItem item, string state, string? error) =>
        item with { State = state, Terminal = true, Attempts = item.Attempts + 1, Error = error };
}

/// <summary>Queue function <c>ManagedDistributionQueue</c> (queue <c>manageddistribution</c>): one chunk of a group's change.</summary>
sealed class ManagedDistributionQueueHandler(WorkflowEngine engine, GroupManagedDistributionProcessor processor, IOptions<HostingOptions> hosting) : IQueueHandler
{
    public Task HandleAsync(QueueInvocation invocation, CancellationToken cancellationToken) =>
        engine.RunChunkAsync(invocation, processor, hosting.Value.MaxDequeueCount, cancellationToken);
}
