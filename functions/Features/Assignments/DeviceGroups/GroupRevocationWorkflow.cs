using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ManagedDistribution.Features.Assignments.Members;
using ManagedDistribution.Platform.Workflows;

namespace ManagedDistribution.Features.Assignments.DeviceGroups;

/// <summary>
/// The workflow that revokes a large set of a device group assignment's members (kind
/// <c>device-group-revocation</c>, queue <c>assignments</c>): DELETE of an assignment with more
/// than <see cref="GroupRevocation.InlineLimit"/> live members, or that many members leaving the
/// group at once. One item per batch of members (at most <c>maxSerialNumbers</c>, ≤ 500: one Apple
/// request), <see cref="GroupWorkflow.BatchesPerChunk"/> batches per chunk message. A DELETE adds
/// a <see cref="FinishKey"/> item that removes the assignment once every batch is done.
/// The idempotency key is <c>{assignmentId}:delete-{generation}-{attempt}</c> or
/// <c>{assignmentId}:leave-{hash of reservation key + member ids}-{ticks}</c>: a repeated DELETE
/// finds the same workflow; each membership change gets its own.
/// </summary>
public sealed class GroupRevocationWorkflow(WorkflowEngine engine)
{
    public const string Kind = "device-group-revocation";

    /// <summary>The DELETE's last item: sorts after every batch key (<c>r{n}</c>).</summary>
    public const string FinishKey = "zfinish";

    const int BatchSize = 500;

    /// <summary>The workflow's idempotency key for a DELETE of this assignment generation (its reservation key) and attempt.</summary>
    public static string DeleteKey(GroupContext context, int attempt)
    {
        var reservationKey = context.Row.GetString("ReservationKey") ?? context.AssignmentId + ":0";
        return $"{context.AssignmentId}:delete-{reservationKey[(reservationKey.LastIndexOf(':') + 1)..]}-{attempt.ToString(CultureInfo.InvariantCulture)}";
    }

    /// <summary>
    /// The key for these members leaving now. It names when the change was raised: the same devices
    /// leaving again after they rejoined is a new change (a digest alone found the finished first
    /// workflow and revoked nothing). A change raised twice runs twice, harmlessly: revoked members are skipped.
    /// </summary>
    public static string LeaveKey(GroupContext context, IEnumerable<string> memberIds, DateTimeOffset raisedAt)
    {
        var text = (context.Row.GetString("ReservationKey") ?? "") + "\n" + string.Join('\n', memberIds.Order(StringComparer.Ordinal));
        return $"{context.AssignmentId}:leave-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)), 0, 12)}-{raisedAt.UtcTicks}";
    }

    public static bool IsDelete(string idempotencyKey) =>
        idempotencyKey[(idempotencyKey.LastIndexOf(':') + 1)..].StartsWith("delete-", StringComparison.Ordinal);

    public async Task<WorkflowInfo> StartAsync(GroupContext context, IReadOnlyList<AssignmentMember> live, string key, int maxSerials,
        CancellationToken cancellationToken)
    {
        var delete = IsDelete(key);
        var items = live.Select(m => new BatchMember(m.MemberId, m.SerialNumber)).Chunk(Math.Clamp(maxSerials, 1, BatchSize))
            .Select((batch, i) => new WorkflowItemSeed(ItemKey(i), context.AssignmentId, $"{batch.Length} devices", LicenseBatch.Encode(batch)))
            .ToList();
        if (delete) items.Add(new WorkflowItemSeed(FinishKey, context.AssignmentId, "Remove the assignment"));
        var reason = delete
            ? $"Revoke {context.ContentId} from device group {context.GroupId}"
            : $"{live.Count} devices left device group {context.GroupId}: revoke {context.ContentId}";
        return await engine.StartAsync(new WorkflowStartRequest(Kind, GroupWorkflow.QueueName, reason, key, items,
            ChunkSize: GroupWorkflow.BatchesPerChunk), cancellationToken);
    }

    public static string ItemKey(int batch) => "r" + batch.ToString("D5", CultureInfo.InvariantCulture);

    public static int BatchOf(string itemKey) => int.Parse(itemKey.AsSpan(1), CultureInfo.InvariantCulture);
}
