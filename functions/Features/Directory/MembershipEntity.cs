using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Directory;

/// <summary>
/// Membership rows, written in pairs: <c>groupmembers</c> RK = member id, and the index
/// <c>membergroups</c> PK "{u|d}:{memberId}", RK = group id (a member's groups are one partition).
/// Both carry AddedAt. A user group's members are spread over 64 bucket partitions
/// "u:{groupId}|{bucket}" (the bucket of the user's own row, <see cref="UserEntity.BucketOf"/>):
/// a write into a partition costs Azurite a walk of that partition, so a 100,000-member group in
/// one partition took O(n²) to fill. A device group's members stay one partition "d:{groupId}"
/// (classroom-sized; device-group assignments read it directly).
/// Invariant kept across crashes: the index is a superset of the members table, because adds
/// write the index first and removals delete it last. A stale index row (left by a crash) is
/// harmless and is removed when read (<see cref="MembershipStore.GroupsOfMemberAsync"/>).
/// </summary>
public static class MembershipEntity
{
    /// <summary>The partition of a member's row in the group.</summary>
    public static string MembersPartitionFor(GroupKind kind, string groupId, string memberId) =>
        kind == GroupKind.User ? UserMembersPartition(groupId, UserEntity.BucketOf(memberId)) : $"{kind.KeyPrefix()}:{groupId}";

    /// <summary>A device group's one members partition (a user group has 64: use the three-argument overload).</summary>
    public static string MembersPartitionFor(GroupKind kind, string groupId) => kind == GroupKind.Device
        ? $"{kind.KeyPrefix()}:{groupId}"
        : throw new ArgumentException("A user group's members are spread over bucket partitions; name the member.", nameof(kind));

    /// <summary>Every members row of the group: its one partition, or the range of its bucket partitions ('}' follows '|').</summary>
    public static TableFilter MembersOf(GroupKind kind, string groupId) => kind == GroupKind.User
        ? TableFilter.PartitionKey.Ge($"u:{groupId}|").And(TableFilter.PartitionKey.Lt($"u:{groupId}}}"))
        : TableFilter.PartitionKey.Eq(MembersPartitionFor(kind, groupId));

    /// <summary>The partitions a group's members live in.</summary>
    public static IReadOnlyList<string> MembersPartitionsOf(GroupKind kind, string groupId) => kind == GroupKind.User
        ? [.. Enumerable.Range(0, UserEntity.Buckets).Select(b => UserMembersPartition(groupId, b))]
        : [MembersPartitionFor(kind, groupId)];

    public static string MemberRowKeyFor(string memberId) => memberId;

    public static string IndexPartitionFor(GroupKind kind, string memberId) => $"{kind.KeyPrefix()}:{memberId}";
    public static string IndexRowKeyFor(string groupId) => groupId;

    public static TableEntity Member(GroupKind kind, string groupId, string memberId, DateTimeOffset addedAt) =>
        new(MembersPartitionFor(kind, groupId, memberId), MemberRowKeyFor(memberId)) { ["AddedAt"] = addedAt };

    public static TableEntity Index(GroupKind kind, string memberId, string groupId, DateTimeOffset addedAt) =>
        new(IndexPartitionFor(kind, memberId), IndexRowKeyFor(groupId)) { ["AddedAt"] = addedAt };

    static string UserMembersPartition(string groupId, int bucket) =>
        $"u:{groupId}|" + bucket.ToString("x2", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>A member of a group as the API shows it.</summary>
public sealed record MemberDto(string Id, DateTimeOffset AddedAt);

/// <summary>A group a user or device belongs to.</summary>
public sealed record MembershipDto(string GroupId, DateTimeOffset AddedAt);

/// <summary>What a bulk add did to one group.</summary>
public sealed record MembersAdded(int Added, int AlreadyMembers, int MemberCount);

/// <summary>What a bulk removal did to one group.</summary>
public sealed record MembersRemoved(int Removed, int NotMembers, int MemberCount);
