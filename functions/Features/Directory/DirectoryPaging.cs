using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Directory;

/// <summary>A page of a directory listing; <see cref="ContinuationToken"/> is null on the last page.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? ContinuationToken);

/// <summary>
/// Paging in key order (partition, then row) over the rows a filter selects, resumed by
/// <see cref="PageToken"/> ("after these keys"). With a predicate the scan filters client-side and stops after
/// <see cref="ScanBudget"/> rows, so a search over a large partition answers in bounded time
/// with a short (even empty) page and a token to go on.
/// </summary>
public static class DirectoryPaging
{
    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 1000;

    /// <summary>Rows one filtered request may read (a few tenths of a second of scanning on an idle Azurite).</summary>
    public const int ScanBudget = 20_000;

    public static async Task<(IReadOnlyList<TableEntity> Items, PagePosition? NextAfter)> ScanAsync(TableClient table, TableFilter rows,
        IReadOnlyList<string>? select, PagePosition? after, int pageSize, Func<TableEntity, bool>? predicate, CancellationToken cancellationToken)
    {
        var filter = after is not { } position ? rows : rows.And(
            TableFilter.PartitionKey.Eq(position.PartitionKey).And(TableFilter.RowKey.Gt(position.RowKey))
            | TableFilter.PartitionKey.Gt(position.PartitionKey));
        select = select is null ? null : [.. select.Append("PartitionKey").Append("RowKey").Distinct()];
        var items = new List<TableEntity>();
        var scanned = 0;
        TableContinuationToken? continuation = null;
        while (true)
        {
            var top = predicate is null ? pageSize - items.Count : TableClient.MaxPageSize;
            var page = await table.QueryPageAsync(filter, select, top, continuation, cancellationToken);
            for (var i = 0; i < page.Entities.Count; i++)
            {
                var entity = page.Entities[i];
                scanned++;
                if (predicate is not null && !predicate(entity)) continue;
                items.Add(entity);
                if (items.Count < pageSize) continue;
                var more = i < page.Entities.Count - 1 || page.Continuation is not null;
                return (items, more ? new PagePosition(entity.PartitionKey, entity.RowKey) : null);
            }
            continuation = page.Continuation;
            if (continuation is null) return (items, null);
            if (scanned >= ScanBudget && page.Entities.Count > 0) return (items, new PagePosition(page.Entities[^1].PartitionKey, page.Entities[^1].RowKey));
        }
    }
}
