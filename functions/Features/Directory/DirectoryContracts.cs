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
