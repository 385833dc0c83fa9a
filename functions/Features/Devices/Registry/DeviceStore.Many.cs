using System.Collections.Concurrent;
using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Devices.Registry;

public sealed partial class DeviceStore
{
    /// <summary>Below this many wanted rows in one bucket, point reads; from it on, one range query on the bucket's table.</summary>
    public const int RangeReadMinimum = 16;

    /// <summary>
    /// The rows of <paramref name="deviceIds"/> that exist (whole rows). Per bucket: a few ids are
    /// point reads; many are ONE query on that bucket's own table for the row-key range between the
    /// smallest and the largest id (<see cref="DeviceRecordTables.ReadRangesAsync"/>; rows in between
    /// that were not asked for are dropped). Azurite answers ~2,000 point reads/s and evaluates a
    /// query against every row of its table, which per bucket table is ~1/64 of the devices (over one
    /// big table the range queries cost more than the point reads they replaced); on Azure both are cheap.
    /// </summary>
    public Task<Dictionary<string, DeviceRecord>> GetManyAsync(IReadOnlySet<string> deviceIds, CancellationToken cancellationToken) =>
        GetManyAsync(deviceIds, null, cancellationToken);

    /// <summary>
    /// As <see cref="GetManyAsync(IReadOnlySet{string}, CancellationToken)"/>, reading only the
    /// <paramref name="select"/> columns (the others read as unset): a range read returns every row
    /// between the wanted ids, so what each row carries is most of its cost on both sides.
    /// </summary>
    public async Task<Dictionary<string, DeviceRecord>> GetManyAsync(IReadOnlySet<string> deviceIds, IReadOnlyList<string>? select,
        CancellationToken cancellationToken)
    {
        var buckets = deviceIds.GroupBy(DeviceRecord.BucketOf).ToList();
        var pointReads = buckets.Where(b => b.Count() < RangeReadMinimum).SelectMany(b => b).ToList();
        var rangeReads = buckets.Where(b => b.Count() >= RangeReadMinimum).SelectMany(b => b).ToList();
        var found = new ConcurrentDictionary<string, DeviceRecord>(StringComparer.Ordinal);
        var points = TableBulk.ForEachAsync(pointReads, async (id, ct) =>
        {
            if (await tables.Devices.GetAsync(id, select, ct) is { } entity) found[id] = DeviceRecord.FromEntity(entity);
        }, cancellationToken);
        var ranges = rangeReads.Count == 0 ? Task.FromResult(new Dictionary<string, TableEntity>())
            : tables.Devices.ReadRangesAsync(rangeReads, select, cancellationToken);
        await Task.WhenAll(points, ranges);
        foreach (var (id, entity) in await ranges) found[id] = DeviceRecord.FromEntity(entity);
        return new(found, StringComparer.Ordinal);
    }
}
