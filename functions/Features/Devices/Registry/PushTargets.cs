using ManagedDistribution.Features.Devices.Commands;

namespace ManagedDistribution.Features.Devices.Registry;

/// <summary>
/// <see cref="IPushTargets"/> for the push delivery workflow: push credentials of a channel
/// (device row, or user channel row), token invalidation after APNs 400/410, and the channel's
/// waiting commands. A channel is a target only while its device is enrolled.
/// </summary>
public sealed class PushTargets(DeviceStore devices, CommandExchange commands, ILogger<PushTargets> logger) : IPushTargets
{
    public async Task<PushTargetInfo?> GetAsync(ChannelId channel, CancellationToken cancellationToken)
    {
        if (!DeviceIds.IsValidDeviceId(channel.DeviceId)) return null;
        return await TargetOfAsync(channel, await devices.GetAsync(channel.DeviceId, cancellationToken), cancellationToken);
    }

    /// <summary>What <see cref="TargetOfAsync"/> reads of a device row: a range read returns most rows of a bucket, so their other ~20 columns stay behind.</summary>
    static readonly string[] PushColumns = ["RowKey", "EnrollmentState", "Topic", "PushToken", "PushMagic", "TokenUsable", "LastCheckinAt"];

    /// <summary>
    /// The targets of all the channels (every one is a key; null = not a target), their device rows
    /// in one bulk read (<see cref="DeviceStore.GetManyAsync"/>: one range query on a bucket's table
    /// holding many of them, point reads for the rest). User channels (Macs) still read their own row.
    /// </summary>
    public async Task<IReadOnlyDictionary<ChannelId, PushTargetInfo?>> GetManyAsync(IReadOnlyCollection<ChannelId> channels,
        CancellationToken cancellationToken)
    {
        var valid = channels.Where(c => DeviceIds.IsValidDeviceId(c.DeviceId)).Distinct().ToList();
        var rows = await devices.GetManyAsync(valid.Select(c => c.DeviceId).ToHashSet(StringComparer.Ordinal), PushColumns, cancellationToken);
        var found = new System.Collections.Concurrent.ConcurrentDictionary<ChannelId, PushTargetInfo?>();
        foreach (var channel in channels) found[channel] = null;
        await Platform.Storage.TableBulk.ForEachAsync(valid, async (channel, ct) =>
            found[channel] = await TargetOfAsync(channel, rows.GetValueOrDefault(channel.DeviceId), ct), cancellationToken);
        return found;
    }

    async ValueTask<PushTargetInfo?> TargetOfAsync(ChannelId channel, DeviceRecord? device, CancellationToken cancellationToken)
    {
        if (device is not { IsEnrolled: true }) return null;
        if (channel.UserId is null)
            return device.PushToken is null || device.PushMagic is null || device.Topic is null ? null
                : new PushTargetInfo(channel, device.PushToken, device.PushMagic, device.Topic, device.TokenUsable, device.LastCheckinAt);
        if (!DeviceIds.IsValidUserChannelId(channel.UserId)) return null;
        var user = await devices.GetUserChannelAsync(channel.DeviceId, channel.UserId, cancellationToken);
        return user?.PushToken is null || user.PushMagic is null ? null
            : new PushTargetInfo(channel, user.PushToken, user.PushMagic, user.Topic ?? device.Topic ?? "", user.TokenUsable, user.LastCheckinAt);
    }

    public async Task MarkTokenUnusableAsync(ChannelId channel, string reason, CancellationToken cancellationToken)
    {
        if (channel.UserId is null)
            await devices.UpdateAsync(channel.DeviceId, device =>
            {
                if (device is null) return DeviceFailures.NotFound(channel.DeviceId);
                device.TokenUsable = false;
                device.TokenUnusableReason = reason;
                return device;
            }, cancellationToken);
        else if (await devices.GetUserChannelAsync(channel.DeviceId, channel.UserId, cancellationToken) is not null)
            await devices.UpdateUserChannelAsync(channel.DeviceId, channel.UserId, current =>
            {
                var user = current ?? new UserChannelRecord { DeviceId = channel.DeviceId, UserId = channel.UserId };
                user.TokenUsable = false;
                user.TokenUnusableReason = reason;
                return user;
            }, cancellationToken);
        logger.LogWarning("Push token of {Channel} marked unusable: {Reason}", channel.ToString(), reason);
    }

    public Task<bool> HasWaitingCommandsAsync(ChannelId channel, CancellationToken cancellationToken) =>
        commands.HasWaitingAsync(channel, cancellationToken);

    public Task<IReadOnlySet<ChannelId>> WaitingChannelsAsync(IReadOnlyCollection<ChannelId> channels, CancellationToken cancellationToken) =>
        commands.WaitingChannelsAsync(channels, cancellationToken);

    public Task<int> ExpireWaitingCommandsAsync(ChannelId channel, CancellationToken cancellationToken) =>
        commands.ExpireWaitingAsync(channel, cancellationToken);
}
