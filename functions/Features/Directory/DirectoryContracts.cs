namespace ManagedDistribution.Features.Directory;

/// <summary>The fields other features need of a user (devices show it, invitations address it).</summary>
public sealed record UserSummary(string Id, string ShortName, string FullName, string? Email, string? ManagedAppleId, string? PreferredLanguage);

/// <summary>What other features may ask of the user directory. Implemented by the Directory feature.</summary>
public interface IUserDirectory
{
    Task<UserSummary?> GetUserAsync(string userId, CancellationToken cancellationToken);
}

/// <summary>What other features may ask about device groups (the Devices feature refreshes a group's members). Implemented by the Directory feature.</summary>
public interface IDeviceGroupMembers
{
    /// <summary>Ids of the group's member devices (one partition read), or null when there is no such group.</summary>
    Task<IReadOnlyCollection<string>?> DeviceIdsAsync(string groupId, CancellationToken cancellationToken);
}

/// <summary>A user's managed-distribution state as <c>GET /api/users/{id}</c> shows it (status: notInvited, invited, enrolled, retired).</summary>
public sealed record UserManagedDistribution(bool Enabled, string Status, DateTimeOffset? InvitedAt, DateTimeOffset? EnrolledAt);

/// <summary>Supplies the managed-distribution part of a user resource. Implemented by the Invitations feature; optional.</summary>
public interface IUserManagedDistributionSource
{
    Task<UserManagedDistribution> ForUserAsync(string userId, CancellationToken cancellationToken);
}

/// <summary>
/// A change of one group's members. <see cref="Joined"/> lists every id the caller added (also
/// those that were members already) and <see cref="Left"/> every id it removed, so a request
/// repeated after a crash tells listeners again; listeners must be idempotent.
/// </summary>
public sealed record GroupMembershipChange(GroupKind Kind, string GroupId, IReadOnlyCollection<string> Joined, IReadOnlyCollection<string> Left);

/// <summary>
/// Told after group memberships were stored (member add/remove, imports, group delete, forced
/// user delete). Implemented by the Assignments feature: joining members get the group's content,
/// leaving ones lose it. Called inline with the request: record and schedule work, don't do it here.
/// </summary>
public interface IGroupMembershipListener
{
    Task MembersChangedAsync(GroupMembershipChange change, CancellationToken cancellationToken);
}

/// <summary>
/// Told when a user's managed-distribution status changes to enrolled (R14: accepted the
/// invitation, or a managed Apple account associated at once) or retired. Raised by the
/// Invitations feature; implemented by Assignments (pending user-targeted assignments activate in
/// enrolment order, R8/R17). Must be idempotent: a notification replay raises it again.
/// </summary>
public interface IUserEnrollmentListener
{
    Task UserEnrolledAsync(string userId, DateTimeOffset enrolledAt, CancellationToken cancellationToken);

    Task UserRetiredAsync(string userId, CancellationToken cancellationToken);
}
