using System.Collections.Concurrent;
using ManagedDistribution.Features.Devices.Push;
using ManagedDistribution.Platform.Storage;
using Microsoft.Extensions.Options;

namespace ManagedDistribution.Features.Devices.Registry;

/// <summary>
/// Whole device buckets' push columns as read a moment ago, shared by the first waves of the push
/// workflows of this instance. A fan-out of many chunks over random devices (a 100,000-device
/// campaign: 10 push workflows of 10,000 devices, each spread over all 64 buckets) read nearly the
/// whole registry once per workflow, because a bucket's range read returns every row between its
/// wanted ids: ~10 rows per pushed device, most of the Azurite CPU of the pushes. Now the first
/// bulk read of a bucket reads all of it, and reads of the next <see cref="PushOptions.TargetSnapshotAge"/>
/// find their devices in that snapshot. Only hits are served from it: a device missing from it or
/// not enrolled in it (enrolled since?) is read afresh. The price: a device that re-enrolled (new
/// push magic) in that window may be pushed with its old credentials; it then checks in at the next
/// wave, which reads afresh; a change this instance made itself (<see cref="DeviceStore.UpdateAsync"/>:
/// a check-in, a token marked unusable) is never served stale (<see cref="Forget"/>). Snapshots hold at
/// most <see cref="PushOptions.TargetSnapshotRows"/> rows.
/// </summary>
public sealed class PushTargetSnapshots(DeviceTables tables, IOptions<PushOptions> options, TimeProvider time)
{
    /// <summary>What a push needs of a device row (<see cref="PushTargets"/>), kept small: snapshots may hold a whole registry.</summary>
    public sealed record Columns(bool IsEnrolled, byte[]? Token, string? PushMagic, string? Topic, bool TokenUsable, DateTimeOffset? LastCheckinAt)
    {
        public static Columns Of(DeviceRecord device) =>
            new(device.IsEnrolled, device.PushToken, device.PushMagic, device.Topic, device.TokenUsable, device.LastCheckinAt);
    }

    /// <summary>What <see cref="Columns"/> reads of a device row.</summary>
    public static readonly IReadOnlyList<string> ColumnNames =
        ["RowKey", "EnrollmentState", "Topic", "PushToken", "PushMagic", "TokenUsable", "LastCheckinAt"];

    sealed record Snapshot(DateTimeOffset ReadAt, Lazy<Task<Dictionary<string, Columns>>> Rows);

    readonly ConcurrentDictionary<int, Snapshot> snapshots = new();
    /// <summary>Devices whose row this instance wrote, and when: snapshots read before that do not speak for them.</summary>
    readonly ConcurrentDictionary<string, DateTimeOffset> changed = new(StringComparer.Ordinal);
    long lastPruneTicks;

    /// <summary>The device's row was just written by this instance: snapshots read before now are not used for it.</summary>
    public void Forget(string deviceId)
    {
        // No snapshot now: any later one reads the row as written.
        if (!snapshots.IsEmpty) changed[deviceId] = time.GetUtcNow();
    }

    /// <summary>
    /// The enrolled devices of <paramref name="bucket"/>'s snapshot among <paramref name="deviceIds"/>
    /// (all of the bucket), the snapshot read now if there is none younger than the configured age.
    /// Ids not returned are to be read afresh. Empty when snapshots are off (age zero).
    /// </summary>
    public async Task<Dictionary<string, Columns>> EnrolledAsync(int bucket, IEnumerable<string> deviceIds, CancellationToken cancellationToken)
    {
        var age = options.Value.TargetSnapshotAge;
        if (age <= TimeSpan.Zero) return [];
        var snapshot = SnapshotOf(bucket, age);
        var rows = await snapshot.Rows.Value.WaitAsync(cancellationToken);
        var found = new Dictionary<string, Columns>(StringComparer.Ordinal);
        foreach (var id in deviceIds)
            if (rows.TryGetValue(id, out var columns) && !(changed.TryGetValue(id, out var at) && at >= snapshot.ReadAt)) found[id] = columns;
        return found;
    }

    Snapshot SnapshotOf(int bucket, TimeSpan age)
    {
        var now = time.GetUtcNow();
        foreach (var old in snapshots.Where(s => s.Value.ReadAt < now - age)) snapshots.TryRemove(old);
        PruneChanges(now - age);
        while (true)
        {
            if (snapshots.TryGetValue(bucket, out var current) && current.ReadAt >= now - age) return current;
            Snapshot next = null!;
            next = new Snapshot(now, new Lazy<Task<Dictionary<string, Columns>>>(() => ReadAsync(bucket, next)));
            if (current is null ? snapshots.TryAdd(bucket, next) : snapshots.TryUpdate(bucket, next, current)) return next;
        }
    }

    /// <summary>The bucket's enrolled devices: one query for its partition, not tied to the first asker's cancellation: others wait for it too.</summary>
    async Task<Dictionary<string, Columns>> ReadAsync(int bucket, Snapshot snapshot)
    {
        try
        {
            var table = await tables.Devices.BucketAsync(bucket, CancellationToken.None);
            var rows = new Dictionary<string, Columns>(StringComparer.Ordinal);
            var topics = new Dictionary<string, string>(StringComparer.Ordinal); // a few push certificates: one string each, not one per row
            await foreach (var entity in table.QueryAsync(TableFilter.PartitionKey.Eq(DeviceRecord.PartitionKeyOfBucket(bucket)), ColumnNames))
            {
                var device = DeviceRecord.FromEntity(entity);
                if (!device.IsEnrolled) continue;
                if (device.Topic is { } topic) device.Topic = topics.TryGetValue(topic, out var same) ? same : topics[topic] = topic;
                rows[entity.RowKey] = Columns.Of(device);
            }
            // Over the limit the rows serve the readers waiting for them and are not kept.
            if (RowsHeld() + rows.Count > options.Value.TargetSnapshotRows) snapshots.TryRemove(new KeyValuePair<int, Snapshot>(bucket, snapshot));
            return rows;
        }
        catch
        {
            snapshots.TryRemove(new KeyValuePair<int, Snapshot>(bucket, snapshot));
            throw;
        }
    }

    /// <summary>Changes older than every live snapshot are in them; dropped now and then (changes are check-ins, rare next to reads).</summary>
    void PruneChanges(DateTimeOffset oldestSnapshot)
    {
        var last = Interlocked.Read(ref lastPruneTicks);
        if (changed.IsEmpty || oldestSnapshot.UtcTicks - last < TimeSpan.TicksPerSecond) return;
        if (Interlocked.CompareExchange(ref lastPruneTicks, oldestSnapshot.UtcTicks, last) != last) return;
        foreach (var change in changed.Where(c => c.Value < oldestSnapshot)) changed.TryRemove(change);
    }

    /// <summary>Rows of the snapshots read and kept (at most 64 of them).</summary>
    long RowsHeld() => snapshots.Values.Sum(s => s.Rows.IsValueCreated && s.Rows.Value.IsCompletedSuccessfully ? (long)s.Rows.Value.Result.Count : 0);
}
