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

    /// <summary>One page of one table.</summary>
    public static Task<(IReadOnlyList<TableEntity> Items, PagePosition? NextAfter)> ScanAsync(TableClient table, TableFilter rows,
        IReadOnlyList<string>? select, PagePosition? after, int pageSize, Func<TableEntity, bool>? predicate, CancellationToken cancellationToken) =>
        ScanAsync(1, (_, _) => ValueTask.FromResult(table), 0, rows, select, after, pageSize, predicate, ScanBudget, cancellationToken);

    /// <summary>
    /// One page over <paramref name="tableCount"/> tables that split the key space in order (every key
    /// of table n sorts before every key of table n + 1), from <paramref name="firstTable"/>, the first
    /// that can hold keys after <paramref name="after"/>. A page goes on into the next tables until
    /// full; the predicate and <paramref name="scanBudget"/> (rows read per request) span all of them.
    /// </summary>
    public static async Task<(IReadOnlyList<TableEntity> Items, PagePosition? NextAfter)> ScanAsync(int tableCount,
        Func<int, CancellationToken, ValueTask<TableClient>> tableAt, int firstTable, TableFilter rows, IReadOnlyList<string>? select,
        PagePosition? after, int pageSize, Func<TableEntity, bool>? predicate, int scanBudget, CancellationToken cancellationToken)
    {
        select = select is null ? null : [.. select.Append("PartitionKey").Append("RowKey").Distinct()];
        var items = new List<TableEntity>();
        var scanned = 0;
        PagePosition? lastScanned = null;
        for (var n = firstTable; n < tableCount; n++)
        {
            var table = await tableAt(n, cancellationToken);
            var filter = n == firstTable ? After(rows, after) : rows;
            TableContinuationToken? continuation = null;
            do
            {
                var top = predicate is null ? pageSize - items.Count : TableClient.MaxPageSize;
                var page = await table.QueryPageAsync(filter, select, top, continuation, cancellationToken);
                continuation = page.Continuation;
                for (var i = 0; i < page.Entities.Count; i++)
                {
                    var entity = page.Entities[i];
                    scanned++;
                    if (predicate is not null && !predicate(entity)) continue;
                    items.Add(entity);
                    if (items.Count < pageSize) continue;
                    var more = i < page.Entities.Count - 1 || continuation is not null
                        || await AnyRowAsync(tableCount, tableAt, n + 1, rows, cancellationToken);
                    return (items, more ? PositionOf(entity) : null);
                }
                if (page.Entities.Count > 0) lastScanned = PositionOf(page.Entities[^1]);
                var moreToScan = continuation is not null || n < tableCount - 1;
                if (scanned >= scanBudget && moreToScan && lastScanned is not null) return (items, lastScanned);
            }
            while (continuation is not null);
        }
        return (items, null);
    }

    static TableFilter After(TableFilter rows, PagePosition? after) => after is not { } position ? rows : rows.And(
        TableFilter.PartitionKey.Eq(position.PartitionKey).And(TableFilter.RowKey.Gt(position.RowKey))
        | TableFilter.PartitionKey.Gt(position.PartitionKey));

    /// <summary>Whether any of the tables from <paramref name="from"/> on holds a row (a full page's last item may not be the last).</summary>
    static async Task<bool> AnyRowAsync(int tableCount, Func<int, CancellationToken, ValueTask<TableClient>> tableAt, int from, TableFilter rows,
        CancellationToken cancellationToken)
    {
        for (var n = from; n < tableCount; n++)
        {
            var table = await tableAt(n, cancellationToken);
            var page = await table.QueryPageAsync(rows, ["PartitionKey"], 1, null, cancellationToken);
            if (page.Entities.Count > 0 || page.Continuation is not null) return true;
        }
        return false;
    }

    static PagePosition PositionOf(TableEntity entity) => new(entity.PartitionKey, entity.RowKey);
}
