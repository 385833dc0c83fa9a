using ManagedDistribution.Features.Directory;

namespace ManagedDistribution.Features.Devices;

/// <summary>
/// Stand-ins registered with TryAdd so the app starts before the push workflow and the directory
/// are merged; the real implementations replace them. Not for production use.
/// </summary>
sealed class NoPushScheduler(ILogger<NoPushScheduler> logger) : IPushScheduler
{
    public Task<string> SchedulePushesAsync(IReadOnlyCollection<ChannelId> channels, string reason, string idempotencyKey, CancellationToken cancellationToken)
    {
        logger.LogWarning("No push workflow registered: {ChannelCount} channel(s) not pushed ({Reason})", channels.Count, reason);
        return Task.FromResult("");
    }
}

/// <summary>Knows no users, so associating a device with a user fails until the Directory feature is registered.</summary>
sealed class NoUserDirectory : IUserDirectory
{
    public Task<UserSummary?> GetUserAsync(string userId, CancellationToken cancellationToken) => Task.FromResult<UserSummary?>(null);
}

/// <summary>Knows no device groups (every group refresh is 404) until the Directory feature is registered.</summary>
sealed class NoDeviceGroups : IDeviceGroupMembers
{
    public Task<IReadOnlyCollection<string>?> DeviceIdsAsync(string groupId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyCollection<string>?>(null);
}
