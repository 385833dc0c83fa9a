using System.Globalization;
using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Directory;

/// <summary>
/// The <c>groupmembers{0-63}</c> tables: a member's row in a group lives in the table of its bucket
/// (<see cref="MembershipEntity.BucketOf"/>, the bucket already in its PartitionKey), each table
/// created the first time this process uses it. Why: Azurite 3.35 evaluates every page of every
/// query against every row of the table, whatever the PartitionKey filter, so a bucket query over
/// one table of all groups' members cost O(all members); over its own table it costs O(its bucket).
/// On Azure a partition query is indexed either way.
/// </summary>
public sealed class GroupMemberTables(TableServiceClient service)
{
    public const string NamePrefix = "groupmembers";
    public const int Count = MembershipEntity.Buckets;

    readonly TableOnFirstUse[] tables = [.. Enumerable.Range(0, Count).Select(n => new TableOnFirstUse(service, NameOf(n)))];

    /// <summary>"groupmembers{bucket}", bucket in decimal (without the storage prefix).</summary>
    public static string NameOf(int bucket) => NamePrefix + bucket.ToString(CultureInfo.InvariantCulture);

    /// <summary>The table of one bucket, 0 … <see cref="Count"/> − 1.</summary>
    public ValueTask<TableClient> BucketAsync(int bucket, CancellationToken cancellationToken) => tables[bucket].GetAsync(cancellationToken);

    /// <summary>The table holding the member's rows in every group.</summary>
    public ValueTask<TableClient> OfMemberAsync(GroupKind kind, string memberId, CancellationToken cancellationToken) =>
        BucketAsync(MembershipEntity.BucketOf(kind, memberId), cancellationToken);

    /// <summary>The member's row in the group, or null: one point read in the member's bucket table and partition.</summary>
    public async Task<TableEntity?> GetAsync(GroupKind kind, string groupId, string memberId, IEnumerable<string>? select, CancellationToken cancellationToken)
    {
        var table = await OfMemberAsync(kind, memberId, cancellationToken);
        return await table.GetEntityAsync(MembershipEntity.MembersPartitionFor(kind, groupId, memberId), MembershipEntity.MemberRowKeyFor(memberId),
            select, cancellationToken);
    }

    /// <summary>
    /// Like <see cref="TableBulk.SubmitAsync"/> over members rows of any groups and buckets: each
    /// 100-row transaction goes to the table of its partition's bucket, <see cref="TableBulk.Concurrency"/>
    /// in flight in all. <paramref name="onFailed"/> is given the table a failed transaction went to.
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
            var table = await BucketAsync(MembershipEntity.BucketOfPartition(batch[0].Entity.PartitionKey), token);
            await TableBulk.SubmitAsync(table, batch, onFailed?.Invoke(table), token);
        }, cancellationToken);
    }
}
