using System.Security.Cryptography;
using System.Text;
using ManagedDistribution.Features.Directory;
using ManagedDistribution.Platform.Hosting;
using ManagedDistribution.Platform.Workflows;
using Microsoft.Extensions.Options;

namespace ManagedDistribution.Features.Assignments.Users;

/// <summary>
/// A user-group membership change (kind <c>user-group-membership</c>, queue <c>usergroups</c>; a small
/// one runs in the caller's request, <see cref="RunInlineAsync"/>):
/// one item per member (key = user id, data <c>joined</c> or <c>left</c>), chunked; each chunk runs
/// <see cref="UserGroupAssignments.MembersLeftAsync"/> and <see cref="UserGroupAssignments.MembersJoinedAsync"/>
/// for its members, so the directory's request (a 100,000-member CSV import) only writes the
/// workflow. Idempotency key = group id + a digest of the change + when it was raised: the same
/// members joining again later (removed, then re-added) is a new change and runs again; a change
/// raised twice runs twice, harmlessly (every step skips members already served).
/// </summary>
public sealed partial class UserGroupMembershipWorkflow(WorkflowEngine engine, UserGroupMembershipProcessor processor,
    IOptions<UserGroupMembershipOptions> options, TimeProvider time, ILogger<UserGroupMembershipWorkflow> logger)
{
    public const string Kind = "user-group-membership";
    public const string QueueName = "usergroups";
    public const string Joined = "joined";
    public const string Left = "left";

    /// <summary>Whether the change is too large to run inside the caller's request.</summary>
    public bool RunsAsWorkflow(GroupMembershipChange change) => change.Joined.Count + change.Left.Count > options.Value.InlineLimit;

    public Task<WorkflowInfo> StartAsync(GroupMembershipChange change, CancellationToken cancellationToken) =>
        StartAsync(change, null, cancellationToken);

    /// <summary>
    /// A small change, run in the caller's request as before, but as this workflow: started with its
    /// chunks' messages held back <see cref="UserGroupMembershipOptions.InlineRescueAfter"/>, then
    /// each chunk run here. Those messages find the work done and are dropped; if the request died
    /// half way (a crash, a restart, the client gone), they finish it. Before, such members stayed
    /// unlicensed until the next event for them. A failure here is logged, not thrown: the
    /// membership itself is written, and the rescue retries the rest.
    /// </summary>
    public async Task<WorkflowInfo> RunInlineAsync(GroupMembershipChange change, CancellationToken cancellationToken)
    {
        var workflow = await StartAsync(change, options.Value.InlineRescueAfter, cancellationToken);
        for (var chunk = 0; chunk < workflow.ChunkCount; chunk++)
        {
            try
            {
                await engine.RunFirstWaveNowAsync(workflow.Id, chunk, processor, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogInlineFailed(e, change.GroupId, workflow.Id, chunk, options.Value.InlineRescueAfter);
            }
        }
        return workflow;
    }

    /// <summary>Starts the workflow; with <paramref name="firstMessageDelay"/> its chunks' first messages wait that long (<see cref="RunInlineAsync"/>).</summary>
    internal async Task<WorkflowInfo> StartAsync(GroupMembershipChange change, TimeSpan? firstMessageDelay, CancellationToken cancellationToken)
    {
        // Left first, then joined, as inline: a member in both ends up joined.
        var items = new Dictionary<string, WorkflowItemSeed>(StringComparer.Ordinal);
        foreach (var userId in change.Left) items[userId] = new(userId, userId, "leaves the group", Left);
        foreach (var userId in change.Joined) items[userId] = new(userId, userId, "joins the group", Joined);
        var reason = $"User group {change.GroupId}: {change.Joined.Count} members joined, {change.Left.Count} left";
        return await engine.StartAsync(new WorkflowStartRequest(Kind, QueueName, reason, IdempotencyKey(change, time.GetUtcNow()), [.. items.Values],
            options.Value.ChunkSize, firstMessageDelay), cancellationToken);
    }

    [LoggerMessage(LogLevel.Warning, "User group {GroupId}: the membership change's chunk {Chunk} failed inline (workflow {WorkflowId}); its queue message retries it in {RescueAfter}")]
    partial void LogInlineFailed(Exception exception, string groupId, string workflowId, int chunk, TimeSpan rescueAfter);

    /// <summary><c>{groupId}|{digest}-{ticks}</c>; the digest (SHA-256 of the sorted joined and left ids, 128 bits hex) has no '|'.</summary>
    internal static string IdempotencyKey(GroupMembershipChange change, DateTimeOffset raisedAt)
    {
        var text = new StringBuilder();
        foreach (var id in change.Joined.Order(StringComparer.Ordinal)) text.Append('+').Append(id).Append('\n');
        foreach (var id in change.Left.Order(StringComparer.Ordinal)) text.Append('-').Append(id).Append('\n');
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()));
        return $"{change.GroupId}|{Convert.ToHexStringLower(digest.AsSpan(0, 16))}-{raisedAt.UtcTicks}";
    }

    internal static string GroupOf(string idempotencyKey) => idempotencyKey[..idempotencyKey.LastIndexOf('|')];
}

/// <summary>
/// One chunk of a membership workflow. Each member is checked against the directory first: one who
/// left again (or rejoined) since the change is skipped, the later change owns them. Then the
/// leavers, then the joiners, through the same code as inline changes, which skips members already
/// served (live member row, held license, revoked row), so a redelivered chunk changes nothing.
/// The install commands are keyed by workflow and chunk, so a redelivery re-finds them.
/// </summary>
public sealed class UserGroupMembershipProcessor(IServiceProvider services) : IWorkflowChunkProcessor
{
    UserGroupAssignments Groups => services.GetRequiredService<UserGroupAssignments>();
    MembershipStore Memberships => services.GetRequiredService<MembershipStore>();

    public async Task<WorkflowChunkResult> ProcessAsync(WorkflowChunk chunk, CancellationToken cancellationToken)
    {
        var groupId = UserGroupMembershipWorkflow.GroupOf(chunk.Workflow.IdempotencyKey!);
        // One look-up per member, side by side (up to 100 of them run inline in an admin's request).
        var isMember = new System.Collections.Concurrent.ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        await Platform.Storage.TableBulk.ForEachAsync(chunk.Items, async (item, ct) =>
            isMember[item.Key] = (await Memberships.GroupsOfMemberAsync(GroupKind.User, item.Key, ct)).Any(g => g.GroupId == groupId), cancellationToken);
        var (joined, left, skipped) = (new List<string>(), new List<string>(), new HashSet<string>(StringComparer.Ordinal));
        foreach (var item in chunk.Items)
        {
            var member = isMember[item.Key];
            if (item.Data == UserGroupMembershipWorkflow.Joined && member) joined.Add(item.Key);
            else if (item.Data == UserGroupMembershipWorkflow.Left && !member) left.Add(item.Key);
            else skipped.Add(item.Key);
        }
        if (left.Count > 0) await Groups.MembersLeftAsync(groupId, left, cancellationToken);
        if (joined.Count > 0) await Groups.MembersJoinedAsync(groupId, joined, $"wf-{chunk.Workflow.Id}-{chunk.Chunk}", cancellationToken);
        return new([.. chunk.Items.Select(item => item with
        {
            State = skipped.Contains(item.Key) ? "skipped" : item.Data!, Terminal = true, Attempts = item.Attempts + 1,
            Error = skipped.Contains(item.Key) ? "The membership changed again since; the later change handles this member." : null,
        })], null);
    }
}

/// <summary>Queue function <c>UserGroupQueue</c> (queue <c>usergroups</c>): one wave of one chunk of a membership workflow.</summary>
sealed class UserGroupQueueHandler(WorkflowEngine engine, UserGroupMembershipProcessor processor, IOptions<HostingOptions> hosting) : IQueueHandler
{
    public Task HandleAsync(QueueInvocation invocation, CancellationToken cancellationToken) =>
        engine.RunChunkAsync(invocation, processor, hosting.Value.MaxDequeueCount, cancellationToken);
}
