using ManagedDistribution.Features.Devices.Commands;
using ManagedDistribution.Features.Devices.Inventory;
using ManagedDistribution.Features.Devices.Protocol;
using ManagedDistribution.Features.Devices.Registry;

namespace ManagedDistribution.Features.Devices.Checkin;

/// <summary>The answer to a connect request: the next command's envelope plist, or null for an empty 200 body.</summary>
public sealed record ConnectAnswer(string? CommandPlist);

/// <summary>
/// The command exchange (contracts/apple.md §3.4): records the device's status for a command, keeps
/// the answers of query commands, and hands out the channel's next command. A device or channel
/// we did not enrol gets <see cref="DeviceError.UnknownDevice"/> (401: a device keeps its result and
/// retries, which is what we want if it is re-enrolling; a checked-out device is told no).
/// A status for someone else's command changes nothing, not even the check-in time.
/// </summary>
public sealed class ConnectService(DeviceStore devices, CommandExchange commands, InventoryIngest inventory, TimeProvider time,
    ILogger<ConnectService> logger)
{
    public async Task<DeviceOutcome<ConnectAnswer>> HandleAsync(CommandReport report, string rawBody, MessageSigner signer,
        CancellationToken cancellationToken)
    {
        var deviceId = report.Identity.DeviceChannelId;
        var userId = report.Identity.UserChannelId;
        if (!DeviceIds.IsValidDeviceId(deviceId) || (userId is not null && !DeviceIds.IsValidUserChannelId(userId)))
            return DeviceFailures.Invalid("The UDID / EnrollmentID or user id is not valid.");
        var channel = new ChannelId(deviceId, userId);

        var device = await devices.GetAsync(deviceId, cancellationToken);
        if (device is not { IsEnrolled: true }) return DeviceFailures.UnknownDevice(channel.ToString());
        if (DeviceIdentity.CheckBinding(device, signer) is { } refused) return refused;
        DateTimeOffset? sessionStartedAt = device.SessionStartedAt;
        var lastCheckinAt = device.LastCheckinAt;
        if (userId is not null)
        {
            var userChannel = await devices.GetUserChannelAsync(deviceId, userId, cancellationToken);
            if (userChannel is null) return DeviceFailures.UnknownDevice(channel.ToString());
            sessionStartedAt = userChannel.SessionStartedAt;
            lastCheckinAt = userChannel.LastCheckinAt;
        }

        var now = time.GetUtcNow();
        var idle = report.Status == CommandStatus.Idle;
        if (idle) sessionStartedAt = now;
        else if (await RecordAsync(channel, report, rawBody, cancellationToken) is { } failure) return failure;
        if (idle || IsStale(lastCheckinAt, now)) await devices.TouchAsync(channel, now, startsSession: idle, cancellationToken);
        if (userId is not null && (idle || IsStale(device.LastCheckinAt, now)))
            await devices.TouchAsync(new ChannelId(deviceId), now, startsSession: false, cancellationToken);

        var next = await commands.NextAsync(channel, sessionStartedAt ?? DateTimeOffset.MinValue, cancellationToken);
        if (next is not null)
            logger.LogInformation("Sending {RequestType} {CommandUuid} to {Channel} (attempt {Attempts})", next.RequestType, next.CommandUuid, channel.ToString(), next.Attempts);
        return new ConnectAnswer(next?.Payload);
    }

    /// <summary>
    /// An Idle (a session start) always records the check-in time; a status report within
    /// <see cref="CheckinResolution"/> of the recorded time does not: the write per answered command
    /// told no one anything new, and the push workflow only compares the time with its pushes, which
    /// are minutes apart.
    /// </summary>
    static bool IsStale(DateTimeOffset? lastCheckinAt, DateTimeOffset now) => lastCheckinAt is not { } last || now - last >= CheckinResolution;

    /// <summary>How stale the recorded check-in time may be after a status report.</summary>
    public static readonly TimeSpan CheckinResolution = TimeSpan.FromSeconds(10);

    async Task<DeviceFailure?> RecordAsync(ChannelId channel, CommandReport report, string rawBody, CancellationToken cancellationToken)
    {
        var recorded = await commands.RecordAsync(channel, report, rawBody, cancellationToken);
        if (!recorded.Succeeded)
        {
            logger.LogWarning("Rejected {Status} for {CommandUuid} from {Channel}: not this channel's command", report.Status, report.CommandUuid, channel.ToString());
            return recorded.Failure;
        }
        var (command, changed) = recorded.Value!;
        logger.LogInformation("{Channel} reported {Status} for {RequestType} {CommandUuid}{Duplicate}",
            channel.ToString(), report.Status, command.RequestType, command.CommandUuid, changed ? "" : " (duplicate)");
        if (changed && command.Status == CommandStatuses.Acknowledged)
            await inventory.IngestAsync(channel, command, report, cancellationToken);
        await commands.TellAsync(command, cancellationToken);
        return null;
    }
}
