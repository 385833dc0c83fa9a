using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Directory;

/// <summary>
/// The <c>users{0-63}</c> tables (<see cref="BucketTables"/>): a user's row lives in the table of
/// its bucket (<see cref="UserEntity.BucketOf"/>, the bucket already in its PartitionKey
/// <c>user-{bucket:x2}</c>). Table order is key order: every key of table n sorts before every key
/// of table n + 1, so a listing pages through the tables in turn.
/// </summary>
public sealed class UserTables(TableServiceClient service) : BucketTables(service, NamePrefix, Count, UserEntity.BucketOfPartition)
{
    public const string NamePrefix = "users";
    public const int Count = UserEntity.Buckets;

    /// <summary>"users{bucket}", bucket in decimal (without the storage prefix).</summary>
    public static string NameOf(int bucket) => NameOf(NamePrefix, bucket);

    /// <summary>The table holding the user's row.</summary>
    public ValueTask<TableClient> OfUserAsync(string userId, CancellationToken cancellationToken) =>
        BucketAsync(UserEntity.BucketOf(userId), cancellationToken);
}
