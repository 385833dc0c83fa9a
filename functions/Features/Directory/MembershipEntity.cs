using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Directory;

/// <summary>
/// Membership rows, written in pairs: <c>groupmembers{bucket}</c> RK = member id, and the index
/// <c>membergroups</c> PK "{u|d}:{memberId}", RK = group id (a member's groups are one partition).
/// Both carry AddedAt. A group's members are spread over 64 bucket partitions "{u|d}:{groupId}|{bucket}":
/// the bucket of the member's own row (<see cref="UserEntity.BucketOf"/>, or for a device
/// <see cref="StableHash.Bucket"/> of its id, as in the <c>devices</c> table; both are FNV-1a mod 64).
/// A write into a partition costs Azurite a walk of that partition, so a 100,000-member group in
/// one partition took O(n²) to fill, and every point read of a member walked the whole group.
/// Each bucket's partitions (of every group) live in their own table, <see cref="GroupMemberTables"/>.
/// Invariant kept across crashes: the index is a superset of the members table, because adds
/// write the index first and removals delete it last. A stale index row (left by a crash) is
/// harmless and is removed when read (<see cref="MembershipStore.GroupsOfMemberAsync"/>).
/// </summary>
public static class MembershipEntity
{
    public const int Buckets = 64;

    /// <summary>The member's bucket, 0–63: the bucket of its users / devices row. Never change it: stored rows depend on it.</summary>
    public static int BucketOf(GroupKind kind, string memberId) =>
        kind == GroupKind.User ? UserEntity.BucketOf(memberId) : StableHash.Bucket(memberId, Buckets);

    /// <summary>The partition of a member's row in the group.</summary>
    public static string MembersPartitionFor(GroupKind kind, string groupId, string memberId) =>
        BucketPartition(kind, groupId, BucketOf(kind, memberId));

    /// <summary>The group's partition in one bucket (and so in that bucket's table, <see cref="GroupMemberTables"/>).</summary>
    public static string BucketPartition(GroupKind kind, string groupId, int bucket) =>
        $"{GroupKey(kind, groupId)}|" + bucket.ToString("x2", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The bucket a members partition key names: its last two hex digits.</summary>
    public static int BucketOfPartition(string partitionKey) =>
        BucketTables.BucketOfHexSuffix(partitionKey);

    /// <summary>"{u|d}:{groupId}": names the group as a whole (e.g. in a listing's page token).</summary>
    public static string GroupKey(GroupKind kind, string groupId) => $"{kind.KeyPrefix()}:{groupId}";

    public static string MemberRowKeyFor(string memberId) => memberId;

    public static string IndexPartitionFor(GroupKind kind, string memberId) => $"{kind.KeyPrefix()}:{memberId}";
    public static string IndexRowKeyFor(string groupId) => groupId;

    public static TableEntity Member(GroupKind kind, string groupId, string memberId, DateTimeOffset addedAt) =>
        new(MembersPartitionFor(kind, groupId, memberId), MemberRowKeyFor(memberId)) { ["AddedAt"] = addedAt };

    public static TableEntity Index(GroupKind kind, string memberId, string groupId, DateTimeOffset addedAt) =>
        new(IndexPartitionFor(kind, memberId), IndexRowKeyFor(groupId)) { ["AddedAt"] = addedAt };
}

/// <summary>A member of a group as the API shows it.</summary>
public sealed record MemberDto(string Id, DateTimeOffset AddedAt);

/// <summary>A group a user or device belongs to.</summary>
public sealed record MembershipDto(string GroupId, DateTimeOffset AddedAt);

/// <summary>What a bulk add did to one group.</summary>
public sealed record MembersAdded(int Added, int AlreadyMembers, int MemberCount);

/// <summary>What a bulk removal did to one group.</summary>
public sealed record MembersRemoved(int Removed, int NotMembers, int MemberCount);
