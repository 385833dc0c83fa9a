using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Directory;

/// <summary>
/// The <c>groupmembers{0-63}</c> tables (<see cref="BucketTables"/>): a member's row in a group
/// lives in the table of its bucket (<see cref="MembershipEntity.BucketOf"/>, the bucket already
/// in its PartitionKey).
/// </summary>
public sealed class GroupMemberTables(TableServiceClient service) : BucketTables(service, NamePrefix, Count, MembershipEntity.BucketOfPartition)
{
    public const string NamePrefix = "groupmembers";
    public const int Count = MembershipEntity.Buckets;

    /// <summary>"groupmembers{bucket}", bucket in decimal (without the storage prefix).</summary>
    public static string NameOf(int bucket) => NameOf(NamePrefix, bucket);

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
}
