using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Devices.Registry;

/// <summary>Filters of the admin device listing; null means "any".</summary>
public sealed record DeviceQuery(string? Platform = null, string? EnrollmentState = null, string? UserId = null);

/// <summary>
/// Where a device listing goes on: the bucket table (<see cref="DeviceRecordTables"/>, 0 … 63) and the
/// service's continuation inside it (null: from the table's start).
/// </summary>
public sealed record DeviceListPosition(int Table, TableContinuationToken? Continuation);

/// <summary>
/// The device registry over the <c>devices{bucket}</c> (<see cref="DeviceRecordTables"/>), <c>channels</c>
/// and <c>devicesbyuser</c> tables.
/// Device rows change through <see cref="UpdateAsync"/>: read, decide, write with If-Match,
/// and on a lost race read again (bounded). Nothing above this class sees storage exceptions.
/// </summary>
public sealed partial class DeviceStore(DeviceTables tables, PushTargetSnapshots snapshots) : IDeviceDirectory
{
    const int MaxAttempts = 5;

    public async Task<DeviceRecord?> GetAsync(string deviceId, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        var entity = await tables.Devices.GetAsync(deviceId, null, cancellationToken);
        return entity is null ? null : DeviceRecord.FromEntity(entity);
    }

    /// <summary>
    /// Applies <paramref name="decide"/> to the current row (null when there is none) and writes
    /// its answer conditionally: insert when new, replace with the read ETag otherwise. A failure
    /// from <paramref name="decide"/> writes nothing. Retried on 409/412 with a fresh read. A write
    /// is told to <see cref="PushTargetSnapshots.Forget"/>: pushes from here never use the old row.
    /// </summary>
    public async Task<DeviceOutcome<DeviceRecord>> UpdateAsync(string deviceId,
        Func<DeviceRecord?, DeviceOutcome<DeviceRecord>> decide, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var current = await GetAsync(deviceId, cancellationToken);
            var decision = decide(current);
            if (!decision.Succeeded) return decision;
            var next = decision.Value!;
            var table = await tables.Devices.OfDeviceAsync(deviceId, cancellationToken);
            try
            {
                next.ETag = current is null
                    ? await table.AddEntityAsync(next.ToEntity(), cancellationToken)
                    : await table.UpdateEntityAsync(next.ToEntity(), current.ETag, cancellationToken: cancellationToken);
                snapshots.Forget(deviceId);
                return next;
            }
            catch (StorageRequestFailedException e) when ((e.IsConflict || e.IsPreconditionFailed || e.IsNotFound) && attempt < MaxAttempts)
            {
                // Someone else wrote (or deleted) the row between our read and write: decide again on fresh state.
            }
        }
    }

    /// <summary>
    /// Records a check-in time (and, for an Idle report, the start of a command session). A one-property merge cannot overwrite anyone's other fields, and a
    /// slightly older time winning a race is harmless, so this write is unconditional (If-Match *).
    /// </summary>
    public async Task TouchAsync(ChannelId channel, DateTimeOffset at, bool startsSession, CancellationToken cancellationToken)
    {
        var entity = channel.UserId is null
            ? new TableEntity(DeviceRecord.PartitionKeyFor(channel.DeviceId), DeviceRecord.RowKeyFor(channel.DeviceId))
            : new TableEntity(UserChannelRecord.PartitionKeyFor(channel.DeviceId), UserChannelRecord.RowKeyFor(channel.UserId));
        entity["LastCheckinAt"] = at;
        if (startsSession) entity["SessionStartedAt"] = at;
        var table = channel.UserId is null ? await tables.Devices.OfDeviceAsync(channel.DeviceId, cancellationToken) : tables.Channels;
        try
        {
            await table.UpdateEntityAsync(entity, ETag.All, TableUpdateMode.Merge, cancellationToken);
        }
        catch (StorageRequestFailedException e) when (e.IsNotFound)
        {
            // Deleted meanwhile: nothing to touch.
        }
    }

    public async Task<UserChannelRecord?> GetUserChannelAsync(string deviceId, string userId, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        var entity = await tables.Channels.GetEntityAsync(UserChannelRecord.PartitionKeyFor(deviceId), UserChannelRecord.RowKeyFor(userId), cancellationToken: cancellationToken);
        return entity is null ? null : UserChannelRecord.FromEntity(entity);
    }

    /// <summary>Same read-decide-write loop as <see cref="UpdateAsync"/>, for a user channel row.</summary>
    public async Task<UserChannelRecord> UpdateUserChannelAsync(string deviceId, string userId,
        Func<UserChannelRecord?, UserChannelRecord> decide, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var current = await GetUserChannelAsync(deviceId, userId, cancellationToken);
            var next = decide(current);
            try
            {
                next.ETag = current is null
                    ? await tables.Channels.AddEntityAsync(next.ToEntity(), cancellationToken)
                    : await tables.Channels.UpdateEntityAsync(next.ToEntity(), current.ETag, cancellationToken: cancellationToken);
                return next;
            }
            catch (StorageRequestFailedException e) when ((e.IsConflict || e.IsPreconditionFailed || e.IsNotFound) && attempt < MaxAttempts)
            {
            }
        }
    }

    /// <summary>A device's user channels: one partition read of <c>channels</c>.</summary>
    public async Task<IReadOnlyList<UserChannelRecord>> ListUserChannelsAsync(string deviceId, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        var channels = new List<UserChannelRecord>();
        await foreach (var entity in tables.Channels.QueryAsync(TableFilter.PartitionKey.Eq(UserChannelRecord.PartitionKeyFor(deviceId)), cancellationToken: cancellationToken))
            channels.Add(UserChannelRecord.FromEntity(entity));
        return channels;
    }

    /// <summary>
    /// One page of devices in key order (bucket, then id): the bucket tables in turn, each one query
    /// with the filters pushed to the service, from <paramref name="from"/> (null: the start). A page
    /// goes on into the next tables until it holds <paramref name="pageSize"/> devices; the position
    /// returned names the table and the service's continuation inside it (null: nothing left).
    /// </summary>
    public async Task<(IReadOnlyList<DeviceRecord> Devices, DeviceListPosition? Next)> ListAsync(DeviceQuery query, int pageSize,
        DeviceListPosition? from, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        if (from is { Table: < 0 or >= DeviceRecordTables.Count }) throw new ArgumentOutOfRangeException(nameof(from));
        var devices = new List<DeviceRecord>();
        var (n, continuation) = from is null ? (0, null) : (from.Table, from.Continuation);
        while (n < DeviceRecordTables.Count)
        {
            var table = await tables.Devices.BucketAsync(n, cancellationToken);
            var page = await table.QueryPageAsync(ListFilter(query, n), maxPerPage: pageSize - devices.Count, continuation: continuation,
                cancellationToken: cancellationToken);
            devices.AddRange(page.Entities.Select(DeviceRecord.FromEntity));
            continuation = page.Continuation;
            if (continuation is null) n++;
            if (devices.Count < pageSize) continue;
            return (devices, n < DeviceRecordTables.Count ? new DeviceListPosition(n, continuation) : null);
        }
        return (devices, null);
    }

    /// <summary>Every device matching <paramref name="query"/>, in no particular order: one query per bucket table, side by side (bulk readers; the admin listing pages with <see cref="ListAsync"/>).</summary>
    public Task<IReadOnlyCollection<DeviceRecord>> ReadAllAsync(DeviceQuery query, CancellationToken cancellationToken) =>
        ReadAllAsync(query, null, cancellationToken);

    /// <summary>As <see cref="ReadAllAsync(DeviceQuery, CancellationToken)"/>, reading only the <paramref name="select"/> columns (RowKey always).</summary>
    public async Task<IReadOnlyCollection<DeviceRecord>> ReadAllAsync(DeviceQuery query, IReadOnlyList<string>? select, CancellationToken cancellationToken)
    {
        var columns = select is null ? null : (IReadOnlyList<string>)[.. select.Append("RowKey").Distinct()];
        var devices = new System.Collections.Concurrent.ConcurrentBag<DeviceRecord>();
        await TableBulk.ForEachAsync(Enumerable.Range(0, DeviceRecordTables.Count), async (bucket, token) =>
        {
            var table = await tables.Devices.BucketAsync(bucket, token);
            await foreach (var entity in table.QueryAsync(ListFilter(query, bucket), columns, cancellationToken: token)) devices.Add(DeviceRecord.FromEntity(entity));
        }, cancellationToken);
        return devices;
    }

    static TableFilter ListFilter(DeviceQuery query, int bucket)
    {
        var filter = TableFilter.PartitionKey.Eq(DeviceRecord.PartitionKeyOfBucket(bucket));
        if (query.Platform is { } platform) filter &= TableFilter.Property("Platform").Eq(platform);
        if (query.EnrollmentState is { } state) filter &= TableFilter.Property("EnrollmentState").Eq(state);
        if (query.UserId is { } userId) filter &= TableFilter.Property("UserId").Eq(userId);
        return filter;
    }

    /// <summary>
    /// The rows of <paramref name="deviceIds"/> that exist (enrolment and platform fields only): per
    /// bucket holding any of them one range query on its own table (<see cref="DeviceRecordTables.ReadRangesAsync"/>):
    /// for thousands of ids far fewer requests than one point read each.
    /// </summary>
    public async Task<Dictionary<string, DeviceRecord>> ScanAsync(IReadOnlySet<string> deviceIds, CancellationToken cancellationToken)
    {
        var rows = await tables.Devices.ReadRangesAsync(deviceIds, ["PartitionKey", "RowKey", "EnrollmentState", "Platform"], cancellationToken);
        return rows.ToDictionary(pair => pair.Key, pair => DeviceRecord.FromEntity(pair.Value), StringComparer.Ordinal);
    }

    public async Task<bool> ExistsAsync(string deviceId, CancellationToken cancellationToken) =>
        await GetAsync(deviceId, cancellationToken) is not null;

    /// <summary>
    /// Reads the <c>devicesbyuser</c> partition of the user, then confirms each against the device row
    /// (the row is the truth; an index entry left by an interrupted re-association is dropped here).
    /// </summary>
    public async Task<IReadOnlyList<string>> DeviceIdsForUserAsync(string userId, CancellationToken cancellationToken) =>
        [.. (await DevicesOfUserAsync(userId, cancellationToken)).Select(d => d.Id)];

    /// <summary>The rows of the devices assigned to the user, found as <see cref="DeviceIdsForUserAsync"/> finds them.</summary>
    public async Task<IReadOnlyList<DeviceRecord>> DevicesOfUserAsync(string userId, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        var found = new List<DeviceRecord>();
        await foreach (var entry in tables.DevicesByUser.QueryAsync(TableFilter.PartitionKey.Eq(userId), select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
        {
            var device = await GetAsync(entry.RowKey, cancellationToken);
            if (device?.UserId == userId) found.Add(device);
            else await tables.DevicesByUser.DeleteEntityAsync(userId, entry.RowKey, ETag.All, cancellationToken);
        }
        return found;
    }

    /// <summary><c>devicesbyuser</c>: PK = user id, RK = device id. Idempotent.</summary>
    public async Task IndexUserAsync(string userId, string deviceId, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        await tables.DevicesByUser.UpsertEntityAsync(new TableEntity(userId, deviceId), cancellationToken: cancellationToken);
    }

    public async Task UnindexUserAsync(string userId, string deviceId, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        await tables.DevicesByUser.DeleteEntityAsync(userId, deviceId, ETag.All, cancellationToken);
    }
}
