using ManagedDistribution.Features.Devices.Commands;
using ManagedDistribution.Features.Devices.Inventory;
using ManagedDistribution.Features.Devices.Registry;
using ManagedDistribution.Features.Directory;
using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Devices.Admin;

/// <summary>What the admin API does with devices; every expected refusal is a <see cref="DeviceFailure"/>.</summary>
public sealed class DeviceAdminService(DeviceStore devices, CommandStore commandStore, InventoryStore inventory,
    IUserDirectory users, ILogger<DeviceAdminService> logger)
{
    public async Task<DeviceOutcome<DeviceDto>> GetAsync(string deviceId, CancellationToken cancellationToken)
    {
        if (await FindAsync(deviceId, cancellationToken) is not { } device) return DeviceFailures.NotFound(deviceId);
        return DeviceDto.From(device, await devices.ListUserChannelsAsync(deviceId, cancellationToken));
    }

    public async Task<DevicePage> ListAsync(DeviceQuery query, int pageSize, DeviceListPosition? from, CancellationToken cancellationToken)
    {
        var (page, next) = await devices.ListAsync(query, pageSize, from, cancellationToken);
        return new DevicePage(page.Select(device => DeviceDto.From(device)).ToList(), DeviceListTokens.Encode(next));
    }

    public async Task<DeviceOutcome<DeviceDto>> RenameAsync(string deviceId, string? name, CancellationToken cancellationToken)
    {
        if (!DeviceIds.IsValidDeviceId(deviceId)) return DeviceFailures.NotFound(deviceId);
        var outcome = await devices.UpdateAsync(deviceId, device =>
        {
            if (device is null) return DeviceFailures.NotFound(deviceId);
            device.Name = string.IsNullOrWhiteSpace(name) ? null : name.Trim();
            return device;
        }, cancellationToken);
        return outcome.Succeeded ? DeviceDto.From(outcome.Value!) : outcome.Failure;
    }

    /// <summary>
    /// Sets the device's user. The by-user index gets the new entry before the device row changes and
    /// loses the old one after, so a crash in between leaves an extra index entry (which
    /// <see cref="DeviceStore.DeviceIdsForUserAsync"/> checks against the row and drops), never a missing one.
    /// </summary>
    public async Task<DeviceOutcome<DeviceDto>> AssociateAsync(string deviceId, string userId, CancellationToken cancellationToken)
    {
        if (await FindAsync(deviceId, cancellationToken) is null) return DeviceFailures.NotFound(deviceId);
        if (await users.GetUserAsync(userId, cancellationToken) is null)
            return new DeviceFailure(DeviceError.UnknownUser, $"No user '{userId}'.");
        await devices.IndexUserAsync(userId, deviceId, cancellationToken);
        return await SetUserAsync(deviceId, userId, cancellationToken);
    }

    public Task<DeviceOutcome<DeviceDto>> DissociateAsync(string deviceId, CancellationToken cancellationToken) =>
        SetUserAsync(deviceId, null, cancellationToken);

    async Task<DeviceOutcome<DeviceDto>> SetUserAsync(string deviceId, string? userId, CancellationToken cancellationToken)
    {
        if (!DeviceIds.IsValidDeviceId(deviceId)) return DeviceFailures.NotFound(deviceId);
        string? previous = null;
        var outcome = await devices.UpdateAsync(deviceId, device =>
        {
            if (device is null) return DeviceFailures.NotFound(deviceId);
            previous = device.UserId;
            device.UserId = userId;
            return device;
        }, cancellationToken);
        if (!outcome.Succeeded) return outcome.Failure;
        if (previous is not null && previous != userId) await devices.UnindexUserAsync(previous, deviceId, cancellationToken);
        logger.LogInformation("Device {DeviceId} user set to {UserId} (was {PreviousUserId})", deviceId, userId, previous);
        return DeviceDto.From(outcome.Value!);
    }

    /// <summary>Recent commands of the device channel and its user channels, newest first.</summary>
    public async Task<DeviceOutcome<DeviceCommands>> CommandsAsync(string deviceId, int limit, CancellationToken cancellationToken)
    {
        if (await FindAsync(deviceId, cancellationToken) is null) return DeviceFailures.NotFound(deviceId);
        var channels = (await devices.ListUserChannelsAsync(deviceId, cancellationToken)).Select(c => c.Channel).Prepend(new ChannelId(deviceId));
        var commands = new List<CommandRecord>();
        foreach (var channel in channels) commands.AddRange(await commandStore.RecentAsync(channel, limit, cancellationToken));
        return new DeviceCommands(deviceId, commands.OrderByDescending(c => c.EnqueuedAt).ThenByDescending(c => c.RowKey, StringComparer.Ordinal)
            .Take(limit).Select(CommandDto.From).ToList());
    }

    public async Task<DeviceOutcome<DeviceApps>> AppsAsync(string deviceId, CancellationToken cancellationToken)
    {
        if (await FindAsync(deviceId, cancellationToken) is null) return DeviceFailures.NotFound(deviceId);
        var (apps, books) = await inventory.ListAsync(deviceId, cancellationToken);
        return new DeviceApps(deviceId, apps, books);
    }

    async Task<DeviceRecord?> FindAsync(string deviceId, CancellationToken cancellationToken) =>
        DeviceIds.IsValidDeviceId(deviceId) ? await devices.GetAsync(deviceId, cancellationToken) : null;
}
