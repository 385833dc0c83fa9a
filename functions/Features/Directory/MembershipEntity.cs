using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Directory;

/// <summary>
/// Membership rows, written in pairs: <c>groupmembers</c> PK "{u|d}:{groupId}", RK = member id
/// (a group's members are one partition) and the index <c>membergroups</c> PK "{u|d}:{memberId}",
/// RK = group id (a member's groups are one partition). Both carry AddedAt.
/// Invariant kept across crashes: the index is a superset of the members table, because adds
/// write the index first and removals delete it last. A stale index row (left by a crash) is
/// harmless and is removed when read (<see cref="MembershipStore.GroupsOfMemberAsync"/>).
/// </summary>
public static class MembershipEntity
{
    public static string MembersPartitionFor(GroupKind kind, string groupId) => $"{kind.KeyPrefix()}:{groupId}";
    public static string MemberRowKeyFor(string memberId) => memberId;

    public static string IndexPartitionFor(GroupKind kind, string memberId) => $"{kind.KeyPrefix()}:{memberId}";
    public static string IndexRowKeyFor(string groupId) => groupId;

    public static TableEntity Member(GroupKind kind, string groupId, string memberId, DateTimeOffset addedAt) =>
        new(MembersPartitionFor(kind, groupId), MemberRowKeyFor(memberId)) { ["AddedAt"] = addedAt };

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
