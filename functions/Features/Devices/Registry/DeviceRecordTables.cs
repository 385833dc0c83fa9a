using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Devices.Registry;

/// <summary>
/// The <c>devices{0-63}</c> tables (<see cref="BucketTables"/>): a device's row lives in the table of
/// its bucket (<see cref="DeviceRecord.BucketOf"/>, the bucket already in its PartitionKey
/// <c>device-{bucket:x2}</c>). Table order is key order: every key of table n sorts before every key
/// of table n + 1, so a listing pages through the tables in turn.
/// </summary>
public sealed class DeviceRecordTables(TableServiceClient service) : BucketTables(service, NamePrefix, Count, DeviceRecord.BucketOfPartition)
{
    public const string NamePrefix = "devices";
    public const int Count = DeviceRecord.Buckets;

    /// <summary>"devices{bucket}", bucket in decimal (without the storage prefix).</summary>
    public static string NameOf(int bucket) => NameOf(NamePrefix, bucket);

    /// <summary>The table holding the device's row.</summary>
    public ValueTask<TableClient> OfDeviceAsync(string deviceId, CancellationToken cancellationToken) =>
        BucketAsync(DeviceRecord.BucketOf(deviceId), cancellationToken);

    /// <summary>The device's row (whole, or <paramref name="select"/>), or null: one point read in its bucket table.</summary>
    public async Task<TableEntity?> GetAsync(string deviceId, IEnumerable<string>? select, CancellationToken cancellationToken)
    {
        var table = await OfDeviceAsync(deviceId, cancellationToken);
        return await table.GetEntityAsync(DeviceRecord.PartitionKeyFor(deviceId), DeviceRecord.RowKeyFor(deviceId), select, cancellationToken);
    }

    /// <summary>The rows of those of <paramref name="deviceIds"/> that exist: one range query per bucket table holding any (<see cref="BucketTables.ReadRangesAsync"/>).</summary>
    public Task<Dictionary<string, TableEntity>> ReadRangesAsync(IEnumerable<string> deviceIds, IReadOnlyList<string>? select,
        CancellationToken cancellationToken) =>
        ReadRangesAsync(deviceIds, DeviceRecord.BucketOf, b => TableFilter.PartitionKey.Eq(DeviceRecord.PartitionKeyOfBucket(b)), select, cancellationToken);
}
