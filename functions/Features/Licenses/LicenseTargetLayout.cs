using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Licenses;

/// <summary>
/// Where the ledger keeps one license per target (device serial / Apple <c>clientUserId</c>): not in
/// the item's <c>licenses</c> partition but in <see cref="Shards"/> × <see cref="Slices"/> tables
/// <c>licensetargets{shard:D3}s{slice}</c> (shard = FNV-1a of the content id, slice = bucket mod
/// <see cref="Slices"/>), partition <c>{contentId}|{bucket:x2}</c> (bucket = FNV-1a of the row key),
/// row <c>d|{serial}</c> / <c>u|{clientUserId}</c>. Why (Features/Licenses/README.md): on Azurite a
/// write walks its whole partition, an update re-sorts indices as long as its table, and a query
/// walks its whole table, so 50,000 targets in one partition made filling it quadratic, one table
/// of them made every commit merge twice as dear as in a table of 6,250, and 500,000 rows in one
/// table made each item's range query read all of them. Small bucket partitions in small tables
/// keep all three cheap; on Azure nothing gets slower (an item's rows are <see cref="Slices"/>
/// partition-range queries side by side, a target one point read). A row holds only <c>State</c>,
/// <c>Owner</c>, <c>ReservationKey</c> (and <c>TargetId</c> when the row key is a hash): Azurite's
/// cost per row read grows with its property count and 500,000 rows are read in a first full reconciliation.
/// Never change the hashes or the counts: stored rows depend on them.
/// </summary>
public static class LicenseTargetLayout
{
    /// <summary>
    /// How many tables hold target rows: 500,000 rows make ~3,900 per table, and Azurite walks a
    /// whole table for every query (measured: ~25 µs of Azurite CPU per row returned from a
    /// 16,000-row table, ~12 µs from a 4,000-row one).
    /// </summary>
    public const int Shards = 128;

    /// <summary>How many partitions one item's target rows are spread over (≈ 780 rows each for 50,000 targets).</summary>
    public const int Buckets = 64;

    /// <summary>
    /// How many tables one item's target rows are spread over (bucket mod 8): a 50,000-device group's
    /// commits merged 5,078 rows/s in one table of 50,000 and 9,759/s in one of 6,250 (`write-kinds`
    /// benchmark, same partition size). Costs an item's full read 8 queries instead of one, over
    /// tables an eighth of the size (Azurite evaluates a query against every row of its table).
    /// </summary>
    public const int Slices = 8;

    public const string TablePrefix = "licensetargets";

    /// <summary>The table of shard <paramref name="shard"/>, slice <paramref name="slice"/> (without <c>Storage:Prefix</c>).</summary>
    public static string TableName(int shard, int slice) => $"{TablePrefix}{shard:D3}s{slice}";

    /// <summary>The shard that holds the item's target rows.</summary>
    public static int ShardOf(string contentId) => (int)(StableHash.Fnv1a(contentId) % Shards);

    /// <summary>The table holding a target's row of the item.</summary>
    public static string TableName(string contentId, LicenseTarget target) => TableName(ShardOf(contentId), SliceOf(target));

    /// <summary>The slice (table within the item's shard) of a target's row.</summary>
    public static int SliceOf(LicenseTarget target) => (int)(BucketOf(target) % Slices);

    /// <summary>The slice of a target row's partition key (<c>{contentId}|{bucket:x2}</c>).</summary>
    public static int SliceOfPartition(string partitionKey) => Convert.ToInt32(partitionKey[^2..], 16) % Slices;

    static uint BucketOf(LicenseTarget target) => StableHash.Fnv1a(RowKey(target)) % Buckets;

    /// <summary>The row key of a target: <c>d|{serial}</c> or <c>u|{clientUserId}</c>, made safe by <see cref="LicenseKeys.SafeKey"/>.</summary>
    public static string RowKey(LicenseTarget target) =>
        (target.Kind == LicenseTargetKind.Device ? DevicePrefix : UserPrefix) + LicenseKeys.SafeKey(target.Id);

    const string DevicePrefix = "d|";
    const string UserPrefix = "u|";

    /// <summary>The target of a row read back (its row key, and <c>TargetId</c> when the key is a hash); null for a row that is none.</summary>
    public static LicenseTarget? TargetOf(string rowKey, string? targetId)
    {
        var kind = rowKey.StartsWith(DevicePrefix, StringComparison.Ordinal) ? LicenseTargetKind.Device
            : rowKey.StartsWith(UserPrefix, StringComparison.Ordinal) ? LicenseTargetKind.User : (LicenseTargetKind?)null;
        var id = targetId ?? rowKey[DevicePrefix.Length..];
        return kind is null || id.Length == 0 ? null : new LicenseTarget(kind.Value, id);
    }

    /// <summary>The partition of a target's row: <c>{contentId}|{bucket:x2}</c>.</summary>
    public static string PartitionKey(string contentId, LicenseTarget target) => $"{contentId}|{BucketOf(target):x2}";

    /// <summary>Every partition of the item lies in [<c>{contentId}|</c>, this end).</summary>
    public static TableFilter ItemFilter(string contentId)
    {
        var start = contentId + "|";
        return TableFilter.PartitionKey.Ge(start) & TableFilter.PartitionKey.Lt(LicenseKeys.PrefixEnd(start));
    }

    /// <summary>The content id of a target row's partition key (the key without its <c>|{bucket:x2}</c>).</summary>
    public static string ContentIdOf(string partitionKey) => partitionKey.Length > 3 && partitionKey[^3] == '|' ? partitionKey[..^3] : partitionKey;

    /// <summary>
    /// The row of one target's license. Public so that tools which seed a ledger (benchmarks) cannot
    /// drift from it; the app writes target rows only through <see cref="LicenseLedger"/> (its
    /// <c>targetschanged</c> stamp must precede every write).
    /// </summary>
    public static TableEntity ToEntity(string contentId, LicenseTarget target, LicenseState state, string owner, string reservationKey)
    {
        var entity = new TableEntity(PartitionKey(contentId, target), RowKey(target))
        {
            ["State"] = state.ToString(),
            ["Owner"] = owner,
            ["ReservationKey"] = reservationKey,
        };
        if (LicenseKeys.SafeKey(target.Id) != target.Id) entity["TargetId"] = target.Id; // the row key holds its hash
        return entity;
    }
}

/// <summary>The tables of <see cref="LicenseTargetLayout"/> (with <c>Storage:Prefix</c>), each created on first use.</summary>
public sealed class LicenseTargetTables(TableServiceClient service)
{
    readonly TableOnFirstUse[] tables = [.. Enumerable.Range(0, LicenseTargetLayout.Shards * LicenseTargetLayout.Slices)
        .Select(t => new TableOnFirstUse(service, LicenseTargetLayout.TableName(t / LicenseTargetLayout.Slices, t % LicenseTargetLayout.Slices)))];

    /// <summary>The table holding a target's row of the item.</summary>
    public ValueTask<TableClient> ForTargetAsync(string contentId, LicenseTarget target, CancellationToken cancellationToken) =>
        SliceAsync(contentId, LicenseTargetLayout.SliceOf(target), cancellationToken);

    /// <summary>The table of one slice of the item's target rows.</summary>
    public ValueTask<TableClient> SliceAsync(string contentId, int slice, CancellationToken cancellationToken) =>
        tables[LicenseTargetLayout.ShardOf(contentId) * LicenseTargetLayout.Slices + slice].GetAsync(cancellationToken);

    /// <summary>Every target row of the item (filtered by <paramref name="select"/>), a query per slice side by side, in no particular order.</summary>
    public async Task<List<TableEntity>> ReadItemAsync(string contentId, IReadOnlyList<string>? select, CancellationToken cancellationToken)
    {
        var slices = await Task.WhenAll(Enumerable.Range(0, LicenseTargetLayout.Slices).Select(async slice =>
        {
            var table = await SliceAsync(contentId, slice, cancellationToken);
            var rows = new List<TableEntity>();
            await foreach (var row in table.QueryAsync(LicenseTargetLayout.ItemFilter(contentId), select, cancellationToken: cancellationToken)) rows.Add(row);
            return rows;
        }));
        return [.. slices.SelectMany(rows => rows)];
    }
}
