using ManagedDistribution.Features.Devices.Admin;
using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Assignments.Members;

/// <summary>
/// Per-member state of group assignments (device groups and user groups): table
/// <c>assignmentmembers</c>, PK <c>{kind}|{groupId}|{contentId}</c>, RK member id. A group
/// assignment's members are one partition: written in 100-row transactions, read in one scan.
/// Writes replace the whole row (a member record is its full state), so replaying a step rewrites the same state.
/// </summary>
public sealed class AssignmentMemberStore(TableServiceClient service)
{
    public const string TableName = "assignmentmembers";
    const int MaxPageSize = 1000;

    readonly TableOnFirstUse members = new(service, TableName);

    public static string PartitionFor(string kind, string groupId, string contentId) => $"{kind}|{groupId}|{contentId}";

    /// <summary>Writes (replaces) the members, 100 per transaction, several transactions in flight.</summary>
    public async Task SaveManyAsync(IEnumerable<AssignmentMember> rows, CancellationToken cancellationToken)
    {
        var table = await members.GetAsync(cancellationToken);
        await TableBulk.SubmitAsync(table, rows.Select(m => new TableTransactionAction(TableTransactionActionType.UpsertReplace, ToEntity(m))),
            null, cancellationToken);
    }

    public async Task<AssignmentMember?> GetAsync(string kind, string groupId, string contentId, string memberId, CancellationToken cancellationToken)
    {
        var table = await members.GetAsync(cancellationToken);
        var row = await table.GetEntityAsync(PartitionFor(kind, groupId, contentId), memberId, cancellationToken: cancellationToken);
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

    /// <summary>One page of members in member id order; null when the token is not one of ours.</summary>
    public async Task<AssignmentMemberPage?> PageAsync(string kind, string groupId, string contentId, string? state, string? continuationToken,
        int? pageSize, CancellationToken cancellationToken)
    {
        if (!PageTokens.TryDecode(continuationToken, out var continuation)) return null;
        var table = await members.GetAsync(cancellationToken);
        var page = await table.QueryPageAsync(Filter(kind, groupId, contentId, state), null, Math.Clamp(pageSize ?? 100, 1, MaxPageSize),
            continuation, cancellationToken);
        return new([.. page.Entities.Select(e => ToDto(FromEntity(e)))], PageTokens.Encode(page.Continuation));
    }

    /// <summary>How many members are in each state (one keys-and-state scan of the partition).</summary>
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

    static TableFilter Filter(string kind, string groupId, string contentId, string? state)
    {
        var partition = TableFilter.PartitionKey.Eq(PartitionFor(kind, groupId, contentId));
        return state is null ? partition : partition.And(TableFilter.Property("State").Eq(state));
    }

    static TableEntity ToEntity(AssignmentMember m)
    {
        var e = new TableEntity(PartitionFor(m.Kind, m.GroupId, m.ContentId), m.MemberId)
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
