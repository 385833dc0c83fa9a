using ManagedDistribution.Features.Directory;
using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Invitations;

/// <summary>
/// Where a user's managed-distribution row lives: table <c>manageddistribution{bucket}</c> (one
/// per directory bucket, <see cref="UserEntity.BucketOf"/>), partition
/// <c>user-{bucket:x2}-{sub:x1}</c> where <c>sub</c> is the next four bits of the same
/// <see cref="StableHash.Fnv1a"/> (16 sub-buckets). Small tables and small partitions because of
/// Azurite 3.35: a point write walks its whole partition to find the row and re-scans the table's
/// indices, so both costs grow with the directory; on Azure the layout changes nothing. Sorting
/// ids by <see cref="PartitionKeyFor"/> keeps each bucket's sub-buckets together, so bulk writes
/// of a sorted run fill 100-entity transactions per partition.
/// </summary>
public static class ManagedDistributionLayout
{
    public const string TableNamePrefix = "manageddistribution";
    public const int TableCount = UserEntity.Buckets;
    public const int SubBuckets = 16;

    /// <summary>The table index of a user's row, 0 … <see cref="TableCount"/> − 1 (the user's directory bucket).</summary>
    public static int TableIndexOf(string userId) => UserEntity.BucketOf(userId);

    public static string TableNameFor(string userId) => TableNamePrefix + TableIndexOf(userId);

    /// <summary>"user-{bucket:x2}-{sub:x1}": the directory bucket (FNV-1a mod 64) and the hash's next bits mod 16. Never change it: stored rows depend on it.</summary>
    public static string PartitionKeyFor(string userId)
    {
        var hash = StableHash.Fnv1a(userId);
        return string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{UserEntity.PartitionPrefix}{hash % UserEntity.Buckets:x2}-{hash / UserEntity.Buckets % SubBuckets:x1}");
    }

    /// <summary>Every partition of one directory bucket: PartitionKey in ["user-{bb}-", "user-{bb}.") ('.' follows '-').</summary>
    public static TableFilter BucketPartitions(int bucket)
    {
        var prefix = UserEntity.PartitionPrefix + bucket.ToString("x2", System.Globalization.CultureInfo.InvariantCulture);
        return TableFilter.PartitionKey.Ge(prefix + "-") & TableFilter.PartitionKey.Lt(prefix + ".");
    }
}
