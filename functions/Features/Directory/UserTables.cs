using System.Globalization;
using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Directory;

/// <summary>
/// The <c>users{0-63}</c> tables: a user's row lives in the table of its bucket
/// (<see cref="UserEntity.BucketOf"/>, the bucket already in its PartitionKey <c>user-{bucket:x2}</c>),
/// each table created the first time this process uses it. Why: Azurite 3.35 evaluates every page
/// of every query against every row of the table, whatever the PartitionKey filter, so a bucket
/// query over one table of all users cost O(all users); over its own table it costs O(its bucket).
/// On Azure a partition query is indexed either way. Table order is key order: every key of table
/// n sorts before every key of table n + 1.
/// </summary>
public sealed class UserTables(TableServiceClient service)
{
    public const string NamePrefix = "users";
    public const int Count = UserEntity.Buckets;

    readonly TableOnFirstUse[] tables = [.. Enumerable.Range(0, Count).Select(n => new TableOnFirstUse(service, NameOf(n)))];

    /// <summary>"users{bucket}", bucket in decimal (without the storage prefix).</summary>
    public static string NameOf(int bucket) => NamePrefix + bucket.ToString(CultureInfo.InvariantCulture);

    /// <summary>The table of one bucket, 0 … <see cref="Count"/> − 1.</summary>
    public ValueTask<TableClient> BucketAsync(int bucket, CancellationToken cancellationToken) => tables[bucket].GetAsync(cancellationToken);

    /// <summary>The table holding the user's row.</summary>
    public ValueTask<TableClient> OfUserAsync(string userId, CancellationToken cancellationToken) =>
        BucketAsync(UserEntity.BucketOf(userId), cancellationToken);

    /// <summary>
    /// Like <see cref="TableBulk.SubmitAsync"/> over user rows of any buckets: each 100-row
    /// transaction goes to the table of its partition's bucket, <see cref="TableBulk.Concurrency"/>
    /// in flight in all. <paramref name="onFailed"/> gets the actions of a failed transaction.
    /// </summary>
    public Task SubmitAsync(IEnumerable<TableTransactionAction> actions,
        Func<IReadOnlyList<TableTransactionAction>, StorageRequestFailedException, CancellationToken, Task>? onFailed,
        CancellationToken cancellationToken)
    {
        var batches = actions
            .GroupBy(a => a.Entity.PartitionKey, StringComparer.Ordinal)
            .SelectMany(partition => partition.Chunk(TableBulk.BatchSize))
            .ToList();
        return TableBulk.ForEachAsync(batches, async (batch, token) =>
        {
            var table = await BucketAsync(UserEntity.BucketOfPartition(batch[0].Entity.PartitionKey), token);
            await TableBulk.SubmitAsync(table, batch, onFailed, token);
        }, cancellationToken);
    }
}
