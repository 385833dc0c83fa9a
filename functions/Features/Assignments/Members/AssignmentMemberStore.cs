using ManagedDistribution.Features.Devices.Admin;
using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Assignments.Members;

/// <summary>
/// Per-member state of group assignments (device groups and user groups): table
/// <c>assignmentmembers</c>, PK <c>{kind}|{groupId}|{contentId}|{bucket}</c> (<see cref="Buckets"/>
/// hashed buckets of the member id, <see cref="BucketOf"/>), RK member id. Buckets keep each
/// partition small: a point write costs O(partition size) in Azurite, so one 50,000-member
/// partition made filling it quadratic. Writes are 100-row transactions per bucket; reads of a whole
/// assignment are one range query over its buckets (order: bucket, then member id).
/// Writes replace the whole row (a member record is its full state), so replaying a step rewrites the same state.
/// </summary>
public sealed class AssignmentMemberStore(TableServiceClient service)
{
    public const string TableName = "assignmentmembers";

    /// <summary>Partitions per group assignment. Never change it: stored rows depend on it.</summary>
    public const int Buckets = 64;

    const int MaxPageSize = 1000;

    readonly TableOnFirstUse members = new(service, TableName);

    /// <summary>The assignment's key prefix shared by its bucket partitions.</summary>
    public static string AssignmentPrefix(string kind, string groupId, string contentId) => $"{kind}|{groupId}|{contentId}|";

    /// <summary>The partition of one member's row.</summary>
    public static string PartitionFor(string kind, string groupId, string contentId, string memberId) =>
        AssignmentPrefix(kind, groupId, contentId) + BucketOf(memberId).ToString("x2", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>FNV-1a (32-bit) of the UTF-8 member id, modulo <see cref="Buckets"/>: stable across processes and versions (unlike string.GetHashCode).</summary>
    public static int BucketOf(string memberId) => StableHash.Bucket(memberId, Buckets);

    /// <summary>Writes (replaces) the members, 100 per transaction, several transactions in flight.</summary>
    public async Task SaveManyAsync(IEnumerable<AssignmentMember> rows, CancellationToken cancellationToken)
    {
        var table = await members.GetAsync(cancellationToken);
        await TableBulk.SubmitAsync(table, rows.Select(m => new TableTransactionAction(TableTransactionActionType.UpsertReplace, ToEntity(m))),
            null, cancellationToken);
    }

    /// <summary>
    /// Writes members whose rows are most likely new (a group's first licensing): inserted, and a
    /// transaction that meets an existing row is redone as replaces. Same result as
    /// <see cref="SaveManyAsync"/>; cheaper on Azurite, whose upsert looks a row up twice.
    /// </summary>
    public async Task AddManyAsync(IEnumerable<AssignmentMember> rows, CancellationToken cancellationToken) =>
        await TableBulk.AddOrUpsertAsync(await members.GetAsync(cancellationToken), rows.Select(ToEntity), TableTransactionActionType.UpsertReplace,
            cancellationToken);

    public async Task<AssignmentMember?> GetAsync(string kind, string groupId, string contentId, string memberId, CancellationToken cancellationToken)
    {
        var table = await members.GetAsync(cancellationToken);
        var row = await table.GetEntityAsync(PartitionFor(kind, groupId, contentId, memberId), memberId, cancellationToken: cancellationToken);
        return row is null ? null : FromEntity(row);
    }

    /// <summary>Every member of one group assignment, optionally only those in <paramref name="state"/>.</summary>
    public async IAsyncEnumerable<AssignmentMember> AllAsync(string kind, string groupId, string contentId, string? state = null,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var table = await members.GetAsync(cancellationToken);
        await foreach (var row in table.QueryAsync(Filter(kind, groupId, contentId, state), cancellationToken: cancellationToken))
            yield return FromEntity(row);
    }

    /// <summary>One page of members in bucket order, member id order within a bucket; null when the token is not one of ours.</summary>
    public async Task<AssignmentMemberPage?> PageAsync(string kind, string groupId, string contentId, string? state, string? continuationToken,
        int? pageSize, CancellationToken cancellationToken)
    {
        if (!PageTokens.TryDecode(continuationToken, out var continuation)) return null;
        var table = await members.GetAsync(cancellationToken);
        var page = await table.QueryPageAsync(Filter(kind, groupId, contentId, state), null, Math.Clamp(pageSize ?? 100, 1, MaxPageSize),
            continuation, cancellationToken);
        return new([.. page.Entities.Select(e => ToDto(FromEntity(e)))], PageTokens.Encode(page.Continuation));
    }

    /// <summary>How many members are in each state (one state-only range query over the buckets).</summary>
    public async Task<IReadOnlyDictionary<string, int>> CountByStateAsync(string kind, string groupId, string contentId, CancellationToken cancellationToken)
    {
        var table = await members.GetAsync(cancellationToken);
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        await foreach (var row in table.QueryAsync(Filter(kind, groupId, contentId, null), ["State"], cancellationToken: cancellationToken))
        {
            var state = row.GetString("State") ?? MemberStates.Pending;
            counts[state] = counts.GetValueOrDefault(state) + 1;
        }
        return counts;
    }

    /// <summary>Deletes every member row of one group assignment (after it was revoked whole).</summary>
    public async Task DeleteAllAsync(string kind, string groupId, string contentId, CancellationToken cancellationToken)
    {
        var table = await members.GetAsync(cancellationToken);
        var keys = new List<TableTransactionAction>();
        // PartitionKey too: a projection returns only the properties it names.
        await foreach (var row in table.QueryAsync(Filter(kind, groupId, contentId, null), ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
            keys.Add(new(TableTransactionActionType.Delete, new TableEntity(row.PartitionKey, row.RowKey), ETag.All));
        await TableBulk.SubmitAsync(table, keys, null, cancellationToken);
    }

    public static AssignmentMemberDto ToDto(AssignmentMember m) => new(m.MemberId, m.State, m.Reason, m.Detail, m.CommandUuid, m.UpdatedAt);

    /// <summary>
    /// The assignment's bucket partitions (a PartitionKey range), narrowed by GroupId and ContentId:
    /// ids holding '|' could otherwise put another assignment's partitions inside the range.
    /// </summary>
    static TableFilter Filter(string kind, string groupId, string contentId, string? state)
    {
        var prefix = AssignmentPrefix(kind, groupId, contentId);
        var filter = TableFilter.PartitionKey.Ge(prefix) & TableFilter.PartitionKey.Lt(prefix[..^1] + (char)('|' + 1))
            & TableFilter.Property("GroupId").Eq(groupId) & TableFilter.Property("ContentId").Eq(contentId);
        return state is null ? filter : filter & TableFilter.Property("State").Eq(state);
    }

    static TableEntity ToEntity(AssignmentMember m)
    {
        var e = new TableEntity(PartitionFor(m.Kind, m.GroupId, m.ContentId, m.MemberId), m.MemberId)
        {
            ["Kind"] = m.Kind, ["GroupId"] = m.GroupId, ["ContentId"] = m.ContentId,
            ["State"] = m.State, ["Reason"] = m.Reason, ["UpdatedAt"] = m.UpdatedAt,
        };
        if (m.SerialNumber is not null) e["SerialNumber"] = m.SerialNumber;
        if (m.CommandUuid is not null) e["CommandUuid"] = m.CommandUuid;
        if (m.Detail is not null) e["Detail"] = m.Detail;
        if (m.Order is not null) e["Order"] = m.Order;
        return e;
    }

    static AssignmentMember FromEntity(TableEntity e) => new(
        e.GetString("Kind") ?? "", e.GetString("GroupId") ?? "", e.GetString("ContentId") ?? "", e.RowKey,
        e.GetString("State") ?? MemberStates.Pending, e.GetString("Reason"), e.GetDateTimeOffset("UpdatedAt") ?? default)
    {
        SerialNumber = e.GetString("SerialNumber"),
        CommandUuid = e.GetString("CommandUuid"),
        Detail = e.GetString("Detail"),
        Order = e.GetInt64("Order"),
    };
}
