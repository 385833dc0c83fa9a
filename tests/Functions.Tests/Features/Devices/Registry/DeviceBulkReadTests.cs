using ManagedDistribution.Features.Devices;
using ManagedDistribution.Features.Devices.Registry;
using ManagedDistribution.Platform.Storage;
using ManagedDistribution.Tests.Features.Devices.Support;
using ManagedDistribution.Tests.Infrastructure;

namespace ManagedDistribution.Tests.Features.Devices.Registry;

/// <summary>A push chunk's targets in one bulk read: range queries on crowded bucket tables, point reads elsewhere, same answers as one by one.</summary>
public sealed class DeviceBulkReadTests(AzuriteFixture azurite)
{
    static CancellationToken Token => TestContext.Current.CancellationToken;

    static DeviceRecord Enrolled(string id) => new()
    {
        Id = id, EnrollmentState = EnrollmentStates.Enrolled, SerialNumber = "SN-" + id, Topic = "com.example.mdm",
        PushToken = [1, 2, 3], PushMagic = "magic-" + id, TokenUsable = true,
    };

    static Task SeedAsync(DevicesTestHost host, IEnumerable<DeviceRecord> devices) =>
        host.Service<DeviceTables>().Devices.SubmitAsync(devices.Select(d => new TableTransactionAction(TableTransactionActionType.Add, d.ToEntity())), null, Token);

    [Fact]
    public async Task Many_devices_are_read_by_range_in_crowded_buckets_and_by_point_elsewhere()
    {
        await using var host = new DevicesTestHost(azurite);
        var store = host.Service<DeviceStore>();
        // 400 devices, ~6 per bucket: ask for every other one of three crowded buckets and a few elsewhere.
        var ids = Enumerable.Range(0, 400).Select(i => $"UDID-{i:D4}").ToList();
        await SeedAsync(host, ids.Select(Enrolled));
        var byBucket = ids.GroupBy(DeviceRecord.BucketOf).OrderByDescending(g => g.Count()).ToList();
        var wanted = new HashSet<string>(StringComparer.Ordinal) { "UDID-0003", "UDID-0150", "NOPE-1" };
        foreach (var id in byBucket.Take(3).SelectMany(g => g).Where((_, i) => i % 2 == 0)) wanted.Add(id);
        // Pad the crowded buckets' requests past the range-read threshold with ids that do not exist (some outside the stored range).
        foreach (var g in byBucket.Take(3))
            for (var n = 0; wanted.Count(w => DeviceRecord.BucketOf(w) == g.Key) < DeviceStore.RangeReadMinimum; n++)
                if (DeviceRecord.BucketOf($"GHOST-{n}") == g.Key) wanted.Add($"GHOST-{n}");
        Assert.Contains(wanted.GroupBy(DeviceRecord.BucketOf), g => g.Count() >= DeviceStore.RangeReadMinimum);
        Assert.Contains(wanted.GroupBy(DeviceRecord.BucketOf), g => g.Count() < DeviceStore.RangeReadMinimum);

        var found = await store.GetManyAsync(wanted, Token);

        Assert.Equal(wanted.Where(ids.Contains).Order(StringComparer.Ordinal), found.Keys.Order(StringComparer.Ordinal));
        Assert.All(found, pair => Assert.Equal(("SN-" + pair.Key, "magic-" + pair.Key), (pair.Value.SerialNumber, pair.Value.PushMagic)));
        Assert.Empty(await store.GetManyAsync(new HashSet<string>(StringComparer.Ordinal), Token));
    }

    [Fact]
    public async Task Push_targets_in_bulk_answer_like_one_by_one_for_devices_users_and_unknown_channels()
    {
        await using var host = new DevicesTestHost(azurite);
        var store = host.Service<DeviceStore>();
        var ids = Enumerable.Range(0, 200).Select(i => $"MANY-{i:D4}").ToList();
        await SeedAsync(host, ids.Select((id, i) => i % 10 == 3 ? new DeviceRecord { Id = id, EnrollmentState = EnrollmentStates.Unenrolled }
            : i % 10 == 7 ? new DeviceRecord { Id = id, EnrollmentState = EnrollmentStates.Enrolled } // no push token yet
            : Enrolled(id)));
        await store.UpdateUserChannelAsync("MANY-0000", "user-a", _ => new UserChannelRecord
        {
            DeviceId = "MANY-0000", UserId = "user-a", PushToken = [9, 9], PushMagic = "user-magic", TokenUsable = true,
        }, Token);

        var channels = ids.Select(id => new ChannelId(id)).Concat(
        [
            new ChannelId("MANY-0000", "user-a"), new ChannelId("MANY-0000", "user-b"), new ChannelId("MANY-0003", "user-a"),
            new ChannelId("UNKNOWN-1"), new ChannelId("not a device id"), new ChannelId("MANY-0001", "bad/user"),
        ]).ToList();
        var targets = host.Service<IPushTargets>();
        var many = await targets.GetManyAsync(channels, recentWillDo: false, Token);
        Assert.Equivalent(many, await targets.GetManyAsync(channels, recentWillDo: true, Token));

        Assert.Equal(channels.Count, many.Count);
        foreach (var channel in channels)
        {
            var single = await targets.GetAsync(channel, Token);
            var bulk = many[channel];
            Assert.Equal(single is null, bulk is null);
            if (single is null) continue;
            Assert.Equal((single.Channel, single.PushMagic, single.Topic, single.TokenUsable, single.LastCheckinAt),
                (bulk!.Channel, bulk.PushMagic, bulk.Topic, bulk.TokenUsable, bulk.LastCheckinAt));
            Assert.Equal(single.Token, bulk.Token);
        }
        Assert.Equal(160 + 1, many.Values.Count(t => t is not null));
        Assert.Equal("user-magic", many[new ChannelId("MANY-0000", "user-a")]!.PushMagic);
        Assert.Equal("com.example.mdm", many[new ChannelId("MANY-0000", "user-a")]!.Topic);
    }
}
