using System.Globalization;

namespace ManagedDistribution.Platform.Storage;

/// <summary>
/// One table per bucket (<c>{prefix}{bucket}</c>, bucket in decimal, with <c>Storage:Prefix</c>),
/// each created the first time this process uses it; rows keep the bucket in their PartitionKey,
/// so a row's table follows from its keys. Why: Azurite 3.35 evaluates every page of every query
/// against every row of the table, whatever the PartitionKey filter, so a bucket's query over one
/// big table costs O(all rows) and over its own table O(its bucket). On Azure a partition query is
/// indexed either way; the price is one request per bucket for a full listing.
/// </summary>
public abstract class BucketTables
{
    readonly TableOnFirstUse[] tables;
    readonly Func<string, int> bucketOfPartition;

    protected BucketTables(TableServiceClient service, string namePrefix, int count, Func<string, int> bucketOfPartition)
    {
        tables = [.. Enumerable.Range(0, count).Select(n => new TableOnFirstUse(service, NameOf(namePrefix, n)))];
        this.bucketOfPartition = bucketOfPartition;
    }

    protected static string NameOf(string namePrefix, int bucket) => namePrefix + bucket.ToString(CultureInfo.InvariantCulture);

    /// <summary>The bucket a partition key ending in it names: its last two hex digits (<c>…-3f</c> → 63).</summary>
    public static int BucketOfHexSuffix(string partitionKey) =>
        int.Parse(partitionKey.AsSpan(partitionKey.Length - 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);

    /// <summary>The bucket (and so the table) a partition key of these tables names.</summary>
    public int BucketOf(string partitionKey) => bucketOfPartition(partitionKey);

    /// <summary>The table of one bucket, 0 … count − 1.</summary>
    public ValueTask<TableClient> BucketAsync(int bucket, CancellationToken cancellationToken) => tables[bucket].GetAsync(cancellationToken);

    /// <summary>
    /// The rows of those of <paramref name="rowKeys"/> that exist: per bucket holding any of them,
    /// ONE query on that bucket's table over <paramref name="partitionsOf"/>(bucket) and the row keys
    /// from the smallest to the largest wanted (rows in between that were not asked for are
    /// dropped), the buckets in parallel. Keyed by row key.
    /// </summary>
    public async Task<Dictionary<string, TableEntity>> ReadRangesAsync(IEnumerable<string> rowKeys, Func<string, int> bucketOf,
        Func<int, TableFilter> partitionsOf, IReadOnlyList<string>? select, CancellationToken cancellationToken)
    {
        var columns = select is null ? null : (IReadOnlyList<string>)[.. select.Append("RowKey").Distinct()];
        var found = new System.Collections.Concurrent.ConcurrentDictionary<string, TableEntity>(StringComparer.Ordinal);
        await TableBulk.ForEachAsync(rowKeys.Distinct(StringComparer.Ordinal).GroupBy(bucketOf), async (bucket, token) =>
        {
            var wanted = bucket.ToHashSet(StringComparer.Ordinal);
            var table = await BucketAsync(bucket.Key, token);
            var range = partitionsOf(bucket.Key) & TableFilter.RowKey.Ge(wanted.Min(StringComparer.Ordinal)!) & TableFilter.RowKey.Le(wanted.Max(StringComparer.Ordinal)!);
            await foreach (var entity in table.QueryAsync(range, columns, cancellationToken: token))
                if (wanted.Contains(entity.RowKey)) found[entity.RowKey] = entity;
        }, cancellationToken);
        return new(found, StringComparer.Ordinal);
    }

    /// <summary>
    /// Like <see cref="TableBulk.SubmitAsync"/> over rows of any buckets: each 100-row transaction
    /// goes to the table of its partition's bucket, <see cref="TableBulk.Concurrency"/> in flight in
    /// all. <paramref name="onFailed"/> is given the table a failed transaction went to.
    /// </summary>
    public Task SubmitAsync(IEnumerable<TableTransactionAction> actions,
        Func<TableClient, Func<IReadOnlyList<TableTransactionAction>, StorageRequestFailedException, CancellationToken, Task>>? onFailed,
        CancellationToken cancellationToken)
    {
        var batches = actions
            .GroupBy(a => a.Entity.PartitionKey, StringComparer.Ordinal)
            .SelectMany(partition => partition.Chunk(TableBulk.BatchSize))
            .ToList();
        return TableBulk.ForEachAsync(batches, async (batch, token) =>
        {
            var table = await BucketAsync(BucketOf(batch[0].Entity.PartitionKey), token);
            await TableBulk.SubmitAsync(table, batch, onFailed?.Invoke(table), token);
        }, cancellationToken);
    }
}
