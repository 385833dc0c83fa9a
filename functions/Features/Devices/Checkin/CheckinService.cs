using ManagedDistribution.Features.Devices.Commands;
using ManagedDistribution.Features.Devices.Protocol;
using ManagedDistribution.Features.Devices.Registry;

namespace ManagedDistribution.Features.Devices.Checkin;

/// <summary>
/// What each check-in message does to the registry (contracts/apple.md §3.3). Authenticate creates
/// or refreshes the device (not reachable yet); TokenUpdate stores push credentials and enrols the
/// device, or records a user channel; CheckOut unenrols. Every decision is taken on freshly read
/// state and written conditionally (<see cref="DeviceStore.UpdateAsync"/>).
/// </summary>
public sealed class CheckinService(DeviceStore devices, CommandExchange commands, IEnumerable<IDeviceEnrollmentListener> listeners,
    TimeProvider time, ILogger<CheckinService> logger)
{
    public async Task<DeviceOutcome<DeviceRecord>> HandleAsync(CheckinMessage message, MessageSigner signer, CancellationToken cancellationToken)
    {
        var deviceId = message.Identity.DeviceChannelId;
        if (!DeviceIds.IsValidDeviceId(deviceId)) return DeviceFailures.Invalid("The UDID / EnrollmentID is not a valid device id.");
        var outcome = message switch
        {
            Authenticate authenticate => await devices.UpdateAsync(deviceId, current => Authenticate(current, authenticate, signer), cancellationToken),
            TokenUpdate { IsUserChannel: true } update => await UserTokenUpdateAsync(update, signer, cancellationToken),
            TokenUpdate update => await devices.UpdateAsync(deviceId, current => DeviceTokenUpdate(current, update, signer), cancellationToken),
            CheckOut => await CheckOutAsync(deviceId, signer, cancellationToken),
            _ => DeviceFailures.Invalid($"MessageType '{message.MessageType}' is not handled."),
        };
        if (outcome.Succeeded)
            logger.LogInformation("Check-in {MessageType} from {DeviceId} ({Channel}): {EnrollmentState}",
                message.MessageType, deviceId, message.Identity.UserChannelId is null ? "device" : "user", outcome.Value!.EnrollmentState);
        if (outcome.Succeeded) await TellListenersAsync(message, outcome.Value!, cancellationToken);
        return outcome;
    }

    DeviceOutcome<DeviceRecord> Authenticate(DeviceRecord? current, Authenticate message, MessageSigner signer)
    {
        if (current is not null && DeviceIdentity.CheckBinding(current, signer, mayRebind: true) is { } refused) return refused;
        var now = time.GetUtcNow();
        var device = current ?? new DeviceRecord { Id = message.Identity.DeviceChannelId, CreatedAt = now };
        device.SerialNumber = message.SerialNumber ?? device.SerialNumber;
        device.ProductName = message.ProductName ?? device.ProductName;
        device.Model = message.Model ?? device.Model;
        device.ModelName = message.ModelName ?? device.ModelName;
        device.OSVersion = message.OSVersion ?? device.OSVersion;
        device.BuildVersion = message.BuildVersion ?? device.BuildVersion;
        device.DeviceName = message.DeviceName ?? device.DeviceName;
        device.Platform = DevicePlatforms.FromProduct(device.ProductName, device.Model).ToString();
        device.Topic = message.Topic;
        device.IsUserEnrollment = message.Identity.IsUserEnrollment;
        // A new enrolment begins: until its TokenUpdate the old push credentials must not be used.
        device.EnrollmentState = EnrollmentStates.Authenticated;
        device.TokenUsable = false;
        device.AuthenticatedAt = now;
        device.LastCheckinAt = now;
        if (signer.Thumbprint is not null) device.IdentityThumbprint = signer.Thumbprint;
        return device;
    }

    DeviceOutcome<DeviceRecord> DeviceTokenUpdate(DeviceRecord? device, TokenUpdate message, MessageSigner signer)
    {
        if (device is null || device.EnrollmentState == EnrollmentStates.Unenrolled)
            return DeviceFailures.UnknownDevice(message.Identity.DeviceChannelId);
        if (DeviceIdentity.CheckBinding(device, signer) is { } refused) return refused;
        var now = time.GetUtcNow();
        device.IdentityThumbprint ??= signer.Thumbprint;
        device.PushToken = message.Token;
        device.PushMagic = message.PushMagic;
        device.Topic = message.Topic;
        // Apple: an absent UnlockToken does not invalidate a stored one.
        device.UnlockToken = message.UnlockToken ?? device.UnlockToken;
        device.TokenUsable = true;
        device.TokenUnusableReason = null;
        device.TokenUpdatedAt = now;
        device.LastCheckinAt = now;
        if (!device.IsEnrolled)
        {
            device.EnrollmentState = EnrollmentStates.Enrolled;
            device.EnrolledAt = now;
            device.UnenrolledAt = null;
        }
        return device;
    }

    async Task<DeviceOutcome<DeviceRecord>> UserTokenUpdateAsync(TokenUpdate message, MessageSigner signer, CancellationToken cancellationToken)
    {
        var deviceId = message.Identity.DeviceChannelId;
        var userId = message.Identity.UserChannelId!;
        if (!DeviceIds.IsValidUserChannelId(userId)) return DeviceFailures.Invalid("The user channel id is not valid.");
        var device = await devices.GetAsync(deviceId, cancellationToken);
        if (device is not { IsEnrolled: true }) return DeviceFailures.UnknownDevice(deviceId);
        if (DeviceIdentity.CheckBinding(device, signer) is { } refused) return refused;

        var now = time.GetUtcNow();
        await devices.UpdateUserChannelAsync(deviceId, userId, current =>
        {
            var channel = current ?? new UserChannelRecord { DeviceId = deviceId, UserId = userId };
            channel.UserShortName = message.Identity.UserShortName ?? channel.UserShortName;
            channel.UserLongName = message.Identity.UserLongName ?? channel.UserLongName;
            channel.Topic = message.Topic;
            channel.PushToken = message.Token;
            channel.PushMagic = message.PushMagic;
            channel.TokenUsable = true;
            channel.TokenUnusableReason = null;
            channel.TokenUpdatedAt = now;
            channel.LastCheckinAt = now;
            return channel;
        }, cancellationToken);
        await devices.TouchAsync(new ChannelId(deviceId), now, startsSession: false, cancellationToken);
        return device;
    }

    async Task<DeviceOutcome<DeviceRecord>> CheckOutAsync(string deviceId, MessageSigner signer, CancellationToken cancellationToken)
    {
        var outcome = await devices.UpdateAsync(deviceId, device =>
        {
            if (device is null) return DeviceFailures.UnknownDevice(deviceId);
            if (DeviceIdentity.CheckBinding(device, signer) is { } refused) return refused;
            var now = time.GetUtcNow();
            device.EnrollmentState = EnrollmentStates.Unenrolled;
            device.UnenrolledAt = now;
            device.TokenUsable = false;
            device.TokenUnusableReason = "checked out";
            device.LastCheckinAt = now;
            return device;
        }, cancellationToken);
        // Nothing will ever fetch them: the profile that carried the channel is gone.
        if (outcome.Succeeded) await commands.ExpireWaitingAsync(new ChannelId(deviceId), cancellationToken);
        return outcome;
    }

    /// <summary>Device enrolled (device-channel TokenUpdate) or checked out: the Assignments feature delivers or reclaims.</summary>
    async Task TellListenersAsync(CheckinMessage message, DeviceRecord device, CancellationToken cancellationToken)
    {
        foreach (var listener in listeners)
        {
            if (message is TokenUpdate { IsUserChannel: false } && device.IsEnrolled)
                await listener.DeviceEnrolledAsync(device.Id, cancellationToken);
            else if (message is CheckOut)
                await listener.DeviceCheckedOutAsync(device.Id, device.SerialNumber, cancellationToken);
        }
    }
}
