namespace ManagedDistribution.Features.Devices;

/// <summary>
/// What other features may ask of the device registry. Implemented by the Devices feature
/// (DeviceStore); the Directory feature uses it to refuse deleting a user or group that devices
/// still refer to, and group membership uses it to check device ids.
/// </summary>
public interface IDeviceDirectory
{
    Task<bool> ExistsAsync(string deviceId, CancellationToken cancellationToken);

    /// <summary>Ids of the devices associated with <paramref name="userId"/> (one partition read of the by-user index).</summary>
    Task<IReadOnlyList<string>> DeviceIdsForUserAsync(string userId, CancellationToken cancellationToken);
}

/// <summary>
/// A command channel: the device channel (id = device id, i.e. UDID or EnrollmentID) or a macOS
/// user channel (id = "{deviceId}:{userId}"). Commands, pushes and check-ins are per channel.
/// </summary>
public readonly record struct ChannelId(string DeviceId, string? UserId = null)
{
    public override string ToString() => UserId is null ? DeviceId : $"{DeviceId}:{UserId}";

    public static ChannelId Parse(string value)
    {
        var colon = value.IndexOf(':');
        return colon < 0 ? new ChannelId(value) : new ChannelId(value[..colon], value[(colon + 1)..]);
    }
}

/// <summary>What the push delivery workflow needs to wake one channel, and to know whether it did.</summary>
public sealed record PushTargetInfo(
    ChannelId Channel,
    byte[] Token,
    string PushMagic,
    string Topic,
    bool TokenUsable,
    DateTimeOffset? LastCheckinAt);

/// <summary>Implemented by the Devices feature for the push delivery workflow.</summary>
public interface IPushTargets
{
    /// <summary>Null when the channel is unknown or not enrolled (no TokenUpdate yet).</summary>
    Task<PushTargetInfo?> GetAsync(ChannelId channel, CancellationToken cancellationToken);

    /// <summary>
    /// <see cref="GetAsync"/> for many channels (a push chunk); absent or null = not a target.
    /// Implementations read in bulk where their storage allows; this default reads one by one.
    /// <paramref name="recentWillDo"/>: credentials read a few seconds ago serve (a first wave needs
    /// token and push magic, not the latest check-in time), so a big fan-out may share one read.
    /// </summary>
    async Task<IReadOnlyDictionary<ChannelId, PushTargetInfo?>> GetManyAsync(IReadOnlyCollection<ChannelId> channels, bool recentWillDo,
        CancellationToken cancellationToken)
    {
        var found = new Dictionary<ChannelId, PushTargetInfo?>();
        foreach (var channel in channels) found[channel] = await GetAsync(channel, cancellationToken);
        return found;
    }

    /// <summary>
    /// APNs said <paramref name="token"/> is bad or unregistered: stop pushing the channel until its
    /// next TokenUpdate. Nothing changes when the channel's token is another by now (it re-enrolled).
    /// </summary>
    Task MarkTokenUnusableAsync(ChannelId channel, byte[] token, string reason, CancellationToken cancellationToken);

    /// <summary>Whether commands still wait (queued or not-now) for the channel.</summary>
    Task<bool> HasWaitingCommandsAsync(ChannelId channel, CancellationToken cancellationToken);

    /// <summary>Which of these channels still have waiting commands (a push wave's channels at once). The default asks per channel.</summary>
    async Task<IReadOnlySet<ChannelId>> WaitingChannelsAsync(IReadOnlyCollection<ChannelId> channels, CancellationToken cancellationToken)
    {
        var waiting = new HashSet<ChannelId>();
        foreach (var channel in channels)
            if (await HasWaitingCommandsAsync(channel, cancellationToken)) waiting.Add(channel);
        return waiting;
    }

    /// <summary>Marks the channel's waiting commands expired (the device never came back); returns how many.</summary>
    Task<int> ExpireWaitingCommandsAsync(ChannelId channel, CancellationToken cancellationToken);
}

/// <summary>
/// Implemented by the push delivery workflow: called after commands were queued for channels.
/// Returns the task id shown by <c>GET /api/tasks/{id}</c>. Idempotent per <paramref name="idempotencyKey"/>.
/// </summary>
public interface IPushScheduler
{
    Task<string> SchedulePushesAsync(IReadOnlyCollection<ChannelId> channels, string reason, string idempotencyKey, CancellationToken cancellationToken);
}

/// <summary>
/// Told after a device's enrolment changed: its first TokenUpdate (now enrolled: pending content
/// can be delivered) or a CheckOut (its device licenses are to be reclaimed). Implemented by the
/// Assignments feature. Called inline with the device's check-in: record and schedule, keep it short.
/// Must be idempotent (devices repeat check-in messages).
/// </summary>
public interface IDeviceEnrollmentListener
{
    Task DeviceEnrolledAsync(string deviceId, CancellationToken cancellationToken);

    Task DeviceCheckedOutAsync(string deviceId, string? serialNumber, CancellationToken cancellationToken);
}

/// <summary>A command reached an end: the device answered Acknowledged or Error, or it expired unanswered.</summary>
/// <param name="Source">What queued it (the <c>source</c> given to the command queue, e.g. "assignments", "invitations").</param>
/// <param name="Status">acknowledged, error or expired (<c>CommandStatuses</c>).</param>
/// <param name="Error">The device's first error description, when it reported one.</param>
/// <param name="Response">The device's report (XML plist) as stored, for a command whose answer says more than its status
/// (InviteToProgram's <c>InvitationResult</c>); null when it expired unanswered.</param>
public sealed record CommandResult(ChannelId Channel, string CommandUuid, string RequestType, string? Source, string Status, string? Error,
    string? Response = null);

/// <summary>
/// Told when a queued command ends. Implemented by features that follow their commands (an
/// assignment member becomes installed or failed, a device invitation delivered). Filter on
/// <see cref="CommandResult.Source"/>. A repeated report of a finished command is told again, so
/// be idempotent. Called inline with the device's connect request: keep it short.
/// </summary>
public interface ICommandResultListener
{
    Task CommandFinishedAsync(CommandResult result, CancellationToken cancellationToken);
}
