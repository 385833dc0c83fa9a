namespace ManagedDistribution.Features.Directory;

/// <summary>Which kind of group: members are user ids or device ids.</summary>
public enum GroupKind
{
    User,
    Device,
}

public static class GroupKinds
{
    /// <summary>The prefix of membership partition keys: "u" or "d".</summary>
    public static string KeyPrefix(this GroupKind kind) => kind == GroupKind.User ? "u" : "d";

    /// <summary>Route segment under /api: "user-groups" or "device-groups".</summary>
    public static string Route(this GroupKind kind) => kind == GroupKind.User ? "user-groups" : "device-groups";

    /// <summary>"user" or "device", for messages.</summary>
    public static string MemberNoun(this GroupKind kind) => kind == GroupKind.User ? "user" : "device";
}
