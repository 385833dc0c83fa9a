using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Directory;

/// <summary>
/// A group's members read although they live in 64 bucket partitions. Listings stay in id order:
/// one range query over the whole group after the last id shown, and when that does not hold the
/// rest of the group in one page, the first <c>pageSize</c> ids after it of every bucket (in
/// parallel), merged. The token carries only the last id (<c>{u|d}:{groupId}</c> stands in for a partition).
/// </summary>
public static class MemberPages
{
    static readonly string[] Columns = ["RowKey", "AddedAt"];

    /// <summary>
    /// Every members row of the group with <paramref name="columns"/>: one range query for a group of
    /// one page, else the bucket partitions read in parallel (on Azurite every page of one long query
    /// re-walks the table and re-sorts what is left, so many short queries cost less; on Azure they
    /// run side by side). Rows come in no particular order.
    /// </summary>
    public static async Task<IReadOnlyCollection<TableEntity>> ReadAllAsync(TableClient members, GroupKind kind, string groupId,
        IReadOnlyList<string> columns, CancellationToken cancellationToken)
    {
        var first = await members.QueryPageAsync(MembershipEntity.MembersOf(kind, groupId), columns, TableClient.MaxPageSize, null, cancellationToken);
        if (first.Continuation is null) return first.Entities;
        var rows = new System.Collections.Concurrent.ConcurrentBag<TableEntity>();
        await TableBulk.ForEachAsync(MembershipEntity.MembersPartitionsOf(kind, groupId), async (partition, token) =>
        {
            await foreach (var row in members.QueryAsync(TableFilter.PartitionKey.Eq(partition), columns, cancellationToken: token)) rows.Add(row);
        }, cancellationToken);
        return rows;
    }

    public static async Task<(IReadOnlyList<TableEntity> Items, PagePosition? NextAfter)> ReadAsync(TableClient members, GroupKind kind, string groupId,
        string? afterId, int pageSize, CancellationToken cancellationToken)
    {
        var group = MembershipEntity.MembersOf(kind, groupId);
        var whole = await members.QueryPageAsync(After(group, afterId), Columns, TableClient.MaxPageSize, null, cancellationToken);
        List<TableEntity> candidates;
        var more = false;
        if (whole.Continuation is null) candidates = [.. whole.Entities];
        else
        {
            var found = new System.Collections.Concurrent.ConcurrentBag<TableEntity>();
            await TableBulk.ForEachAsync(MembershipEntity.MembersPartitionsOf(kind, groupId), async (partition, token) =>
            {
                var page = await members.QueryPageAsync(After(TableFilter.PartitionKey.Eq(partition), afterId), Columns, pageSize, null, token);
                foreach (var entity in page.Entities) found.Add(entity);
                if (page.Continuation is not null || page.Entities.Count == pageSize) more = true;
            }, cancellationToken);
            candidates = [.. found];
        }
        var sorted = candidates.OrderBy(e => e.RowKey, StringComparer.Ordinal).ToList();
        more |= sorted.Count > pageSize;
        var items = sorted.Take(pageSize).ToList();
        return (items, more && items.Count > 0 ? new PagePosition(MembershipEntity.GroupKey(kind, groupId), items[^1].RowKey) : null);
    }

    static TableFilter After(TableFilter rows, string? afterId) => afterId is null ? rows : rows.And(TableFilter.RowKey.Gt(afterId));
}
