using ManagedDistribution.Features.Devices.Commands;
using ManagedDistribution.Features.Devices.Protocol;
using ManagedDistribution.Features.Devices.Protocol.Commands;
using ManagedDistribution.Features.Devices.Registry;
using ManagedDistribution.Features.Directory;

namespace ManagedDistribution.Features.Devices.Admin;

/// <summary>
/// Inventory refresh, for one device or many (a list, or a device group's members): queues
/// ManagedApplicationList (and ManagedMediaList on iOS/iPadOS: books are iOS only) through
/// <see cref="CommandQueue.EnqueueManyAsync(IReadOnlyList{ChannelCommands}, string, string?, CancellationToken)"/>,
/// which starts ONE push workflow for the whole call. R3: enrolled devices only; in a bulk call the
/// others are skipped with a reason rather than failing the call.
/// </summary>
public sealed class DeviceRefresh(DeviceStore devices, CommandQueue queue, IDeviceGroupMembers groups, ILogger<DeviceRefresh> logger)
{
    public const string Source = "refresh";
    /// <summary>Devices per bulk call (also the request body's limit).</summary>
    public const int MaxDevices = 10_000;
    /// <summary>Device rows read at once while sorting out who can be refreshed.</summary>
    const int LookupConcurrency = 64;
    /// <summary>From this many ids on, one scan of the registry (1,000 rows per request) beats a point read per id.</summary>
    const int ScanThreshold = 1_000;

    public async Task<DeviceOutcome<RefreshAccepted>> RefreshAsync(string deviceId, string? idempotencyKey, CancellationToken cancellationToken)
    {
        var plan = await PlanAsync(deviceId, cancellationToken);
        if (plan.Skip is { } skip)
            return skip.Reason == RefreshSkipReasons.NotEnrolled ? DeviceFailures.NotEnrolled(deviceId) : DeviceFailures.NotFound(deviceId);
        var queued = await queue.EnqueueManyAsync([plan.Work!], Source, KeyFor("device:" + deviceId, idempotencyKey), cancellationToken);
        return new RefreshAccepted(deviceId, queued.Commands.Select(c => c.CommandUuid).ToList(), queued.PushTaskId);
    }

    /// <summary>Refreshes every enrolled device of <paramref name="deviceIds"/> (duplicates ignored); the rest are skipped with a reason.</summary>
    public async Task<BulkRefreshAccepted> RefreshManyAsync(IReadOnlyCollection<string> deviceIds, string scope, string? idempotencyKey,
        CancellationToken cancellationToken)
    {
        var ids = deviceIds.Select(id => id ?? "").Distinct(StringComparer.Ordinal).ToArray();
        if (ids.Length > MaxDevices) throw new ArgumentException($"At most {MaxDevices} devices per call.", nameof(deviceIds));
        var plans = new Plan[ids.Length];
        if (ids.Length >= ScanThreshold)
        {
            var rows = await devices.ScanAsync(ids.Where(DeviceIds.IsValidDeviceId).ToHashSet(StringComparer.Ordinal), cancellationToken);
            for (var i = 0; i < ids.Length; i++) plans[i] = Decide(ids[i], rows.GetValueOrDefault(ids[i]));
        }
        else
            await Parallel.ForAsync(0, ids.Length, new ParallelOptions { MaxDegreeOfParallelism = LookupConcurrency, CancellationToken = cancellationToken },
                async (i, ct) => plans[i] = await PlanAsync(ids[i], ct));
        var work = plans.Where(p => p.Work is not null).Select(p => p.Work!).ToList();
        var skipped = plans.Where(p => p.Skip is not null).Select(p => p.Skip!).ToList();
        var queued = work.Count == 0 ? null : await queue.EnqueueManyAsync(work, Source, KeyFor(scope, idempotencyKey), cancellationToken);
        logger.LogInformation("Refresh of {Scope}: {QueuedDevices} devices queued, {SkippedDevices} skipped, push task {TaskId}",
            scope, work.Count, skipped.Count, queued?.PushTaskId);
        return new BulkRefreshAccepted(queued?.PushTaskId, work.Count, queued?.Commands.Count ?? 0, skipped);
    }

    /// <summary>The members of a device group, refreshed as <see cref="RefreshManyAsync"/>; NotFound when there is no such group.</summary>
    public async Task<DeviceOutcome<BulkRefreshAccepted>> RefreshGroupAsync(string groupId, string? idempotencyKey, CancellationToken cancellationToken)
    {
        if (await groups.DeviceIdsAsync(groupId, cancellationToken) is not { } members)
            return new DeviceFailure(DeviceError.NotFound, $"No device group '{groupId}'.");
        return await RefreshManyAsync(members, "group:" + groupId, idempotencyKey, cancellationToken);
    }

    /// <summary>What a refresh queues for a device of this platform.</summary>
    public static IReadOnlyList<MdmCommandPayload> CommandsFor(DeviceRecord device) =>
        device.Platform is nameof(DevicePlatform.iOS) or nameof(DevicePlatform.iPadOS)
            ? [new ManagedApplicationListCommand(), new ManagedMediaListCommand()]
            : [new ManagedApplicationListCommand()];

    /// <summary>Either the commands to queue on the device channel, or why the device is skipped.</summary>
    sealed record Plan(ChannelCommands? Work, RefreshSkip? Skip);

    async Task<Plan> PlanAsync(string deviceId, CancellationToken cancellationToken) =>
        Decide(deviceId, DeviceIds.IsValidDeviceId(deviceId) ? await devices.GetAsync(deviceId, cancellationToken) : null);

    static Plan Decide(string deviceId, DeviceRecord? device)
    {
        if (device is null) return new(null, new RefreshSkip(deviceId, RefreshSkipReasons.NotFound));
        if (!device.IsEnrolled) return new(null, new RefreshSkip(deviceId, RefreshSkipReasons.NotEnrolled));
        return new(new ChannelCommands(new ChannelId(deviceId), CommandsFor(device)), null);
    }

    /// <summary>The caller's key, scoped to what was refreshed (so one key reused elsewhere does not collide); none: a one-off call.</summary>
    static string? KeyFor(string scope, string? idempotencyKey) =>
        string.IsNullOrWhiteSpace(idempotencyKey) ? null : $"{Source}:{scope}:{idempotencyKey.Trim()}";
}
