using ManagedDistribution.Features.Devices;
using ManagedDistribution.Features.Devices.Admin;
using ManagedDistribution.Features.Devices.Registry;
using ManagedDistribution.Platform.Storage;
using ManagedDistribution.Tests.Features.Devices.Support;
using ManagedDistribution.Tests.Infrastructure;

namespace ManagedDistribution.Tests.Features.Devices.Registry;

/// <summary>Device records live in 64 bucket tables "devices{bucket}", one partition "device-{bucket}" each; reads, writes and listings follow.</summary>
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
    public async Task Devices_are_read_written_and_listed_in_their_bucket_tables()
    {
        await using var host = new DevicesTestHost(azurite);
        var store = host.Service<DeviceStore>();
        var ids = Enumerable.Range(0, 40).Select(i => $"UDID-{i:D4}").ToList();
        foreach (var (id, i) in ids.Select((id, i) => (id, i)))
            Assert.True((await store.UpdateAsync(id, _ => new DeviceRecord
            {
                Id = id, Platform = i % 2 == 0 ? "iOS" : "macOS", EnrollmentState = EnrollmentStates.Enrolled, SerialNumber = $"SN{i}",
            }, Token)).Succeeded);

        var rows = await AllRowsAsync(host.Service<DeviceTables>());
        Assert.Equal(ids, rows.Select(r => r.Row.RowKey).Order(StringComparer.Ordinal));
        Assert.All(rows, r => Assert.Equal($"device-{StableHash.Bucket(r.Row.RowKey, 64):x2}", r.Row.PartitionKey));
        Assert.All(rows, r => Assert.Equal(DeviceRecord.BucketOf(r.Row.RowKey), r.Table));
        Assert.True(rows.Select(r => r.Table).Distinct().Count() > 10);

        Assert.Equal("SN7", (await store.GetAsync("UDID-0007", Token))!.SerialNumber);
        Assert.Null(await store.GetAsync("UDID-9999", Token));
        var at = DateTimeOffset.Parse("2025-03-01T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        await store.TouchAsync(new ChannelId("UDID-0007"), at, startsSession: false, Token);
        Assert.Equal(at, (await store.GetAsync("UDID-0007", Token))!.LastCheckinAt);
        var touched = await (await host.Service<DeviceTables>().Devices.BucketAsync(DeviceRecord.BucketOf("UDID-0007"), Token))
            .GetEntityAsync(DeviceRecord.PartitionKeyFor("UDID-0007"), "UDID-0007", cancellationToken: Token);
        Assert.Equal(at, touched!.GetDateTimeOffset("LastCheckinAt"));

        // Pages of 7 in key order (bucket, then id), each device exactly once; filters apply across buckets.
        var listed = await ListAllAsync(store, new DeviceQuery(), 7);
        Assert.Equal(rows.OrderBy(r => r.Row.PartitionKey, StringComparer.Ordinal).ThenBy(r => r.Row.RowKey, StringComparer.Ordinal).Select(r => r.Row.RowKey), listed);
        Assert.Equal(ids.Where((_, i) => i % 2 == 1).Order(StringComparer.Ordinal),
            (await ListAllAsync(store, new DeviceQuery(Platform: "macOS"), 3)).Order(StringComparer.Ordinal));

        var found = await store.ScanAsync(new HashSet<string>(["UDID-0001", "UDID-0030", "NOPE"], StringComparer.Ordinal), Token);
        Assert.Equal(["UDID-0001", "UDID-0030"], found.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Listing_pages_across_bucket_tables_in_key_order_with_filters()
    {
        await using var host = new DevicesTestHost(azurite);
        var store = host.Service<DeviceStore>();
        // 300 devices, ~5 per bucket table: pages of 4 and 13 end inside tables, at their ends and span several tables.
        var devices = Enumerable.Range(0, 300).Select(i => new DeviceRecord
        {
            Id = $"LIST-{i:D4}", Platform = i % 3 == 0 ? "macOS" : "iOS", EnrollmentState = i % 5 == 0 ? EnrollmentStates.Unenrolled : EnrollmentStates.Enrolled,
            UserId = i % 7 == 0 ? "user-7" : null,
        }).ToList();
        await host.Service<DeviceTables>().Devices.SubmitAsync(
            devices.Select(d => new TableTransactionAction(TableTransactionActionType.Add, d.ToEntity())), null, Token);
        static IEnumerable<string> InKeyOrder(IEnumerable<DeviceRecord> selected) => selected
            .OrderBy(d => DeviceRecord.BucketOf(d.Id)).ThenBy(d => d.Id, StringComparer.Ordinal).Select(d => d.Id);

        foreach (var pageSize in new[] { 4, 13, 1000 })
            Assert.Equal(InKeyOrder(devices), await ListAllAsync(store, new DeviceQuery(), pageSize));
        Assert.Equal(InKeyOrder(devices.Where(d => d.Platform == "macOS" && d.EnrollmentState == EnrollmentStates.Enrolled)),
            await ListAllAsync(store, new DeviceQuery(Platform: "macOS", EnrollmentState: EnrollmentStates.Enrolled), 6));
        Assert.Equal(InKeyOrder(devices.Where(d => d.UserId == "user-7")), await ListAllAsync(store, new DeviceQuery(UserId: "user-7"), 5));
        Assert.Empty(await ListAllAsync(store, new DeviceQuery(UserId: "nobody"), 5));

        // A page that fills up in the middle of the listing names the table it stopped in.
        var (first, next) = await store.ListAsync(new DeviceQuery(), 10, null, Token);
        Assert.Equal(10, first.Count);
        Assert.Equal(DeviceRecord.BucketOf(first[^1].Id) + (next!.Continuation is null ? 1 : 0), next.Table);
    }

    [Fact]
    public async Task Listing_tokens_are_opaque_and_checked()
    {
        await using var host = new DevicesTestHost(azurite);
        var store = host.Service<DeviceStore>();
        var devices = Enumerable.Range(0, 60).Select(i => new DeviceRecord { Id = $"TOKEN-{i:D3}", EnrollmentState = EnrollmentStates.Enrolled }).ToList();
        await host.Service<DeviceTables>().Devices.SubmitAsync(
            devices.Select(d => new TableTransactionAction(TableTransactionActionType.Add, d.ToEntity())), null, Token);

        var seen = new List<string>();
        string? token = null;
        do
        {
            Assert.True(DeviceListTokens.TryDecode(token, out var position));
            var (page, next) = await store.ListAsync(new DeviceQuery(), 7, position, Token);
            seen.AddRange(page.Select(d => d.Id));
            token = DeviceListTokens.Encode(next);
            if (next is not null) Assert.Equal(next, DeviceListTokens.TryDecode(token, out var back) ? back : null);
        }
        while (token is not null);
        Assert.Equal(devices.Select(d => d.Id).Order(StringComparer.Ordinal), seen.Order(StringComparer.Ordinal));

        string Raw(string text) => System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(text));
        foreach (var bad in new[] { "%%%", Raw("device-01\nX"), Raw("d1\n64\n\n"), Raw("d1\n-1\n\n"), Raw("d1\nx\n\n"), Raw("d1\n3\n\nrow"), Raw("d2\n3\n\n") })
            Assert.False(DeviceListTokens.TryDecode(bad, out _), bad);
        Assert.True(DeviceListTokens.TryDecode(Raw("d1\n63\n\n"), out var last));
        Assert.Equal(new DeviceListPosition(63, null), last);
    }

    static async Task<List<(int Table, TableEntity Row)>> AllRowsAsync(DeviceTables tables)
    {
        var rows = new List<(int, TableEntity)>();
        for (var n = 0; n < DeviceRecordTables.Count; n++)
            await foreach (var row in (await tables.Devices.BucketAsync(n, Token)).QueryAsync(DeviceRecord.AllRows, ["PartitionKey", "RowKey"], cancellationToken: Token))
                rows.Add((n, row));
        return rows;
    }

    static async Task<List<string>> ListAllAsync(DeviceStore store, DeviceQuery query, int pageSize)
    {
        var ids = new List<string>();
        DeviceListPosition? continuation = null;
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
