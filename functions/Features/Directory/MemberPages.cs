using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Directory;

/// <summary>
/// A user group's members in id order although they live in 64 bucket partitions: one range
/// query over the whole group after the last id shown, and when that does not hold the rest of the
/// group in one page, the first <c>pageSize</c> ids after it of every bucket (in parallel),
/// merged. The token carries only the last id (<c>u:{groupId}</c> stands in for a partition).
/// </summary>
static class MemberPages
{
    static readonly string[] Columns = ["RowKey", "AddedAt"];

    public static async Task<(IReadOnlyList<TableEntity> Items, PagePosition? NextAfter)> ReadAsync(TableClient members, string groupId,
        string? afterId, int pageSize, CancellationToken cancellationToken)
    {
        var group = MembershipEntity.MembersOf(GroupKind.User, groupId);
        var whole = await members.QueryPageAsync(After(group, afterId), Columns, TableClient.MaxPageSize, null, cancellationToken);
        List<TableEntity> candidates;
        var more = false;
        if (whole.Continuation is null) candidates = [.. whole.Entities];
        else
        {
            var found = new System.Collections.Concurrent.ConcurrentBag<TableEntity>();
            await TableBulk.ForEachAsync(MembershipEntity.MembersPartitionsOf(GroupKind.User, groupId), async (partition, token) =>
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
        return (items, more && items.Count > 0 ? new PagePosition("u:" + groupId, items[^1].RowKey) : null);
    }

    static TableFilter After(TableFilter rows, string? afterId) => afterId is null ? rows : rows.And(TableFilter.RowKey.Gt(afterId));
}
