using ManagedDistribution.Features.Devices.Commands;

namespace ManagedDistribution.Features.Devices.Registry;

/// <summary>
/// <see cref="IPushTargets"/> for the push delivery workflow: push credentials of a channel
/// (device row, or user channel row), token invalidation after APNs 400/410, and the channel's
/// waiting commands. A channel is a target only while its device is enrolled.
/// </summary>
public sealed class PushTargets(DeviceStore devices, PushTargetSnapshots snapshots, CommandExchange commands, ILogger<PushTargets> logger)
    : IPushTargets
{
    public async Task<PushTargetInfo?> GetAsync(ChannelId channel, CancellationToken cancellationToken)
    {
        if (!DeviceIds.IsValidDeviceId(channel.DeviceId)) return null;
        var device = await devices.GetAsync(channel.DeviceId, cancellationToken);
        return await TargetOfAsync(channel, device is null ? null : PushTargetSnapshots.Columns.Of(device), cancellationToken);
    }

    /// <summary>
    /// The targets of all the channels (every one is a key; null = not a target), their device rows
    /// in one bulk read (<see cref="DeviceStore.GetManyAsync"/>: one range query on a bucket's table
    /// holding many of them, point reads for the rest), or, when <paramref name="recentWillDo"/>,
    /// from <see cref="PushTargetSnapshots"/> where a bucket holds many. User channels (Macs) still
    /// read their own row.
    /// </summary>
    public async Task<IReadOnlyDictionary<ChannelId, PushTargetInfo?>> GetManyAsync(IReadOnlyCollection<ChannelId> channels, bool recentWillDo,
        CancellationToken cancellationToken)
    {
        var valid = channels.Where(c => DeviceIds.IsValidDeviceId(c.DeviceId)).Distinct().ToList();
        var ids = valid.Select(c => c.DeviceId).ToHashSet(StringComparer.Ordinal);
        var rows = recentWillDo ? await FromSnapshotsAsync(ids, cancellationToken) : new(StringComparer.Ordinal);
        ids.ExceptWith(rows.Keys);
        foreach (var (id, device) in await devices.GetManyAsync(ids, PushTargetSnapshots.ColumnNames, cancellationToken))
            rows[id] = PushTargetSnapshots.Columns.Of(device);
        var found = new System.Collections.Concurrent.ConcurrentDictionary<ChannelId, PushTargetInfo?>();
        foreach (var channel in channels) found[channel] = null;
        await Platform.Storage.TableBulk.ForEachAsync(valid, async (channel, ct) =>
            found[channel] = await TargetOfAsync(channel, rows.GetValueOrDefault(channel.DeviceId), ct), cancellationToken);
        return found;
    }

    /// <summary>Only for buckets a bulk read would range-read anyway; the few devices of other buckets are point reads, always fresh.</summary>
    async Task<Dictionary<string, PushTargetSnapshots.Columns>> FromSnapshotsAsync(IReadOnlySet<string> deviceIds, CancellationToken cancellationToken)
    {
        var found = new System.Collections.Concurrent.ConcurrentDictionary<string, PushTargetSnapshots.Columns>(StringComparer.Ordinal);
        var buckets = deviceIds.GroupBy(DeviceRecord.BucketOf).Where(b => b.Count() >= DeviceStore.RangeReadMinimum).ToList();
        await Platform.Storage.TableBulk.ForEachAsync(buckets, async (bucket, ct) =>
        {
            foreach (var (id, columns) in await snapshots.EnrolledAsync(bucket.Key, bucket, ct)) found[id] = columns;
        }, cancellationToken);
        return new(found, StringComparer.Ordinal);
    }

    async ValueTask<PushTargetInfo?> TargetOfAsync(ChannelId channel, PushTargetSnapshots.Columns? device, CancellationToken cancellationToken)
    {
        if (device is not { IsEnrolled: true }) return null;
        if (channel.UserId is null)
            return device.Token is null || device.PushMagic is null || device.Topic is null ? null
                : new PushTargetInfo(channel, device.Token, device.PushMagic, device.Topic, device.TokenUsable, device.LastCheckinAt);
        if (!DeviceIds.IsValidUserChannelId(channel.UserId)) return null;
        var user = await devices.GetUserChannelAsync(channel.DeviceId, channel.UserId, cancellationToken);
        return user?.PushToken is null || user.PushMagic is null ? null
            : new PushTargetInfo(channel, user.PushToken, user.PushMagic, user.Topic ?? device.Topic ?? "", user.TokenUsable, user.LastCheckinAt);
    }

    public async Task MarkTokenUnusableAsync(ChannelId channel, byte[] token, string reason, CancellationToken cancellationToken)
    {
        // Compared with the token pushed: a channel that re-enrolled meanwhile keeps its new one.
        var marked = false;
        if (channel.UserId is null)
            await devices.UpdateAsync(channel.DeviceId, device =>
            {
                if (device is null) return DeviceFailures.NotFound(channel.DeviceId);
                if (!SameToken(device.PushToken, token)) return DeviceFailures.Invalid("The push token changed.");
                device.TokenUsable = false;
                device.TokenUnusableReason = reason;
                marked = true;
                return device;
            }, cancellationToken);
        else if (await devices.GetUserChannelAsync(channel.DeviceId, channel.UserId, cancellationToken) is { } found && SameToken(found.PushToken, token))
            await devices.UpdateUserChannelAsync(channel.DeviceId, channel.UserId, current =>
            {
                var user = current ?? new UserChannelRecord { DeviceId = channel.DeviceId, UserId = channel.UserId };
                if (!SameToken(user.PushToken, token)) return user;
                user.TokenUsable = false;
                user.TokenUnusableReason = reason;
                marked = true;
                return user;
            }, cancellationToken);
        if (marked) logger.LogWarning("Push token of {Channel} marked unusable: {Reason}", channel.ToString(), reason);
        else logger.LogInformation("Push token of {Channel} refused ({Reason}), but the channel has another token by now", channel.ToString(), reason);
    }

    static bool SameToken(byte[]? stored, byte[] pushed) => stored is not null && stored.AsSpan().SequenceEqual(pushed);

    public Task<bool> HasWaitingCommandsAsync(ChannelId channel, CancellationToken cancellationToken) =>
        commands.HasWaitingAsync(channel, cancellationToken);

    public Task<IReadOnlySet<ChannelId>> WaitingChannelsAsync(IReadOnlyCollection<ChannelId> channels, CancellationToken cancellationToken) =>
        commands.WaitingChannelsAsync(channels, cancellationToken);

    public Task<int> ExpireWaitingCommandsAsync(ChannelId channel, CancellationToken cancellationToken) =>
        commands.ExpireWaitingAsync(channel, cancellationToken);
}
