using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Directory;

/// <summary>
/// A group's members read although they live in 64 bucket tables (<see cref="GroupMemberTables"/>),
/// one partition of the group in each. Every read is one query per bucket table, in parallel, each
/// over its own small table. Listings stay in id order: the first <c>pageSize + 1</c> ids after the
/// last one shown of every bucket, merged. The token carries only the last id
/// (<c>{u|d}:{groupId}</c> stands in for a partition).
/// </summary>
public static class MemberPages
{
    static readonly string[] Columns = ["RowKey", "AddedAt"];

    /// <summary>Every members row of the group with <paramref name="columns"/>: the group's partition of every bucket table. Rows come in no particular order.</summary>
    public static async Task<IReadOnlyCollection<TableEntity>> ReadAllAsync(GroupMemberTables members, GroupKind kind, string groupId,
        IReadOnlyList<string> columns, CancellationToken cancellationToken)
    {
        var rows = new System.Collections.Concurrent.ConcurrentBag<TableEntity>();
        await TableBulk.ForEachAsync(Enumerable.Range(0, GroupMemberTables.Count), async (bucket, token) =>
        {
            var table = await members.BucketAsync(bucket, token);
            await foreach (var row in table.QueryAsync(TableFilter.PartitionKey.Eq(MembershipEntity.BucketPartition(kind, groupId, bucket)), columns,
                cancellationToken: token))
                rows.Add(row);
        }, cancellationToken);
        return rows;
    }

    /// <summary>
    /// Up to <paramref name="pageSize"/> members after <paramref name="afterId"/> in id order. Each
    /// bucket gives its first <c>pageSize + 1</c> (a partition answers in RowKey order), so the
    /// merge holds the next page whatever the spread, and one row more exactly when more follow.
    /// </summary>
    public static async Task<(IReadOnlyList<TableEntity> Items, PagePosition? NextAfter)> ReadAsync(GroupMemberTables members, GroupKind kind, string groupId,
        string? afterId, int pageSize, CancellationToken cancellationToken)
    {
        var found = new System.Collections.Concurrent.ConcurrentBag<TableEntity>();
        var wanted = pageSize + 1;
        await TableBulk.ForEachAsync(Enumerable.Range(0, GroupMemberTables.Count), async (bucket, token) =>
        {
            var table = await members.BucketAsync(bucket, token);
            var rows = After(TableFilter.PartitionKey.Eq(MembershipEntity.BucketPartition(kind, groupId, bucket)), afterId);
            await foreach (var row in table.QueryAsync(rows, Columns, Math.Min(wanted, TableClient.MaxPageSize), wanted, token)) found.Add(row);
        }, cancellationToken);
        var sorted = found.OrderBy(e => e.RowKey, StringComparer.Ordinal).ToList();
        var items = sorted.Take(pageSize).ToList();
        return (items, sorted.Count > pageSize ? new PagePosition(MembershipEntity.GroupKey(kind, groupId), items[^1].RowKey) : null);
    }

    static TableFilter After(TableFilter rows, string? afterId) => afterId is null ? rows : rows.And(TableFilter.RowKey.Gt(afterId));
}
