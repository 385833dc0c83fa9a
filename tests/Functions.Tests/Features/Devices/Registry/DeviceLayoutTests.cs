using ManagedDistribution.Features.Devices;
using ManagedDistribution.Features.Devices.Registry;
using ManagedDistribution.Platform.Storage;
using ManagedDistribution.Tests.Features.Devices.Support;
using ManagedDistribution.Tests.Infrastructure;

namespace ManagedDistribution.Tests.Features.Devices.Registry;

/// <summary>Device records live in 64 bucket partitions "device-{bucket}"; reads, writes and listings follow.</summary>
public sealed class DeviceLayoutTests(AzuriteFixture azurite)
{
    static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public void Buckets_are_stable_and_spread_devices_evenly()
    {
        Assert.Equal("device-11", DeviceRecord.PartitionKeyFor("device-1")); // FNV-1a mod 64: stored rows depend on it
        var sizes = Enumerable.Range(0, 50_000).Select(i => DeviceRecord.PartitionKeyFor(new Guid(i, 0, 0, new byte[8]).ToString("D").ToUpperInvariant()))
            .GroupBy(p => p).Select(g => g.Count()).ToList();
        Assert.Equal(DeviceRecord.Buckets, sizes.Count);
        Assert.InRange(sizes.Max(), 781, 1_100);
    }

    [Fact]
    public async Task Devices_are_read_written_and_listed_in_their_bucket_partitions()
    {
        await using var host = new DevicesTestHost(azurite);
        var store = host.Service<DeviceStore>();
        var ids = Enumerable.Range(0, 40).Select(i => $"UDID-{i:D4}").ToList();
        foreach (var (id, i) in ids.Select((id, i) => (id, i)))
            Assert.True((await store.UpdateAsync(id, _ => new DeviceRecord
            {
                Id = id, Platform = i % 2 == 0 ? "iOS" : "macOS", EnrollmentState = EnrollmentStates.Enrolled, SerialNumber = $"SN{i}",
            }, Token)).Succeeded);

        var tables = host.Service<DeviceTables>();
        var rows = new List<TableEntity>();
        await foreach (var row in tables.Devices.QueryAsync(DeviceRecord.AllRows, ["PartitionKey", "RowKey"], cancellationToken: Token)) rows.Add(row);
        Assert.Equal(ids, rows.Select(r => r.RowKey).Order(StringComparer.Ordinal));
        Assert.All(rows, r => Assert.Equal($"device-{StableHash.Bucket(r.RowKey, 64):x2}", r.PartitionKey));
        Assert.True(rows.Select(r => r.PartitionKey).Distinct().Count() > 10);

        Assert.Equal("SN7", (await store.GetAsync("UDID-0007", Token))!.SerialNumber);
        Assert.Null(await store.GetAsync("UDID-9999", Token));
        var at = DateTimeOffset.Parse("2025-03-01T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        await store.TouchAsync(new ChannelId("UDID-0007"), at, startsSession: false, Token);
        Assert.Equal(at, (await store.GetAsync("UDID-0007", Token))!.LastCheckinAt);

        // Pages of 7 in key order (bucket, then id), each device exactly once; filters apply across buckets.
        var listed = await ListAllAsync(store, new DeviceQuery(), 7);
        Assert.Equal(rows.OrderBy(r => r.PartitionKey, StringComparer.Ordinal).ThenBy(r => r.RowKey, StringComparer.Ordinal).Select(r => r.RowKey), listed);
        Assert.Equal(ids.Where((_, i) => i % 2 == 1).Order(StringComparer.Ordinal),
            (await ListAllAsync(store, new DeviceQuery(Platform: "macOS"), 3)).Order(StringComparer.Ordinal));

        var found = await store.ScanAsync(new HashSet<string>(["UDID-0001", "UDID-0030", "NOPE"], StringComparer.Ordinal), Token);
        Assert.Equal(["UDID-0001", "UDID-0030"], found.Keys.Order(StringComparer.Ordinal));
    }

    static async Task<List<string>> ListAllAsync(DeviceStore store, DeviceQuery query, int pageSize)
    {
        var ids = new List<string>();
        TableContinuationToken? continuation = null;
        do
        {
            var (page, next) = await store.ListAsync(query, pageSize, continuation, Token);
            Assert.True(page.Count <= pageSize);
            ids.AddRange(page.Select(d => d.Id));
            continuation = next;
        }
        while (continuation is not null);
        return ids;
    }
}
