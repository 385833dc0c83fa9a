using ManagedDistribution.Features.Devices;
using ManagedDistribution.Features.Devices.Push;
using ManagedDistribution.Features.Devices.Registry;
using ManagedDistribution.Platform.Storage;
using ManagedDistribution.Tests.Features.Devices.Support;
using ManagedDistribution.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace ManagedDistribution.Tests.Features.Devices.Registry;

/// <summary>First push waves share recent reads of whole device buckets; what is missing from them, not enrolled in them, or written by this instance since, is read afresh.</summary>
public sealed class PushTargetSnapshotTests(AzuriteFixture azurite)
{
    static CancellationToken Token => TestContext.Current.CancellationToken;

    sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = DateTimeOffset.UtcNow;
        public override DateTimeOffset GetUtcNow() => Now;
    }

    /// <summary><paramref name="count"/> ids that share one bucket (the range-read threshold applies per bucket).</summary>
    static List<string> IdsInOneBucket(string prefix, int count, int bucket = 5) =>
        [.. Enumerable.Range(0, 100_000).Select(i => $"{prefix}-{i:D6}").Where(id => DeviceRecord.BucketOf(id) == bucket).Take(count)];

    static DeviceRecord Enrolled(string id) => new()
    {
        Id = id, EnrollmentState = EnrollmentStates.Enrolled, Topic = "com.example.mdm", PushToken = [1, 2, 3], PushMagic = "magic-" + id, TokenUsable = true,
    };

    static Task SeedAsync(DevicesTestHost host, IEnumerable<DeviceRecord> devices) =>
        host.Service<DeviceTables>().Devices.SubmitAsync(devices.Select(d => new TableTransactionAction(TableTransactionActionType.Add, d.ToEntity())), null, Token);

    static Task SetAsync(DevicesTestHost host, string id, Action<DeviceRecord> change) =>
        host.Service<DeviceStore>().UpdateAsync(id, d => { change(d!); return d!; }, Token);

    [Fact]
    public async Task A_first_wave_takes_recent_credentials_and_reads_devices_missing_from_them_afresh()
    {
        await using var host = new DevicesTestHost(azurite);
        var ids = IdsInOneBucket("SNAP", DeviceStore.RangeReadMinimum + 4);
        var (late, changed, leaving) = (ids[^1], ids[0], ids[1]);
        await SeedAsync(host, ids.SkipLast(1).Select(Enrolled));
        var targets = host.Service<IPushTargets>();
        var channels = ids.Select(id => new ChannelId(id)).ToList();

        var first = await targets.GetManyAsync(channels, recentWillDo: true, Token);
        Assert.Equal(ids.Count - 1, first.Values.Count(t => t is not null));
        Assert.Null(first[new ChannelId(late)]);

        // Another instance re-enrols one device; this one checks one out; a device enrols after the snapshot.
        var table = await host.Service<DeviceTables>().Devices.OfDeviceAsync(changed, Token);
        await table.UpdateEntityAsync(new TableEntity(DeviceRecord.PartitionKeyFor(changed), changed) { ["PushMagic"] = "new-magic" }, ETag.All,
            TableUpdateMode.Merge, Token);
        await SetAsync(host, leaving, d => d.EnrollmentState = EnrollmentStates.Unenrolled);
        await SeedAsync(host, [Enrolled(late)]);

        var recent = await targets.GetManyAsync(channels, recentWillDo: true, Token);
        Assert.Equal("magic-" + changed, recent[new ChannelId(changed)]!.PushMagic); // the snapshot's: another instance wrote
        Assert.Null(recent[new ChannelId(leaving)]);                                 // written here: read afresh
        Assert.Equal("magic-" + late, recent[new ChannelId(late)]!.PushMagic);        // not in it: read afresh

        var fresh = await targets.GetManyAsync(channels, recentWillDo: false, Token);
        Assert.Equal("new-magic", fresh[new ChannelId(changed)]!.PushMagic);
        Assert.Null(fresh[new ChannelId(leaving)]);
        Assert.Equal(ids.Count - 1, fresh.Values.Count(t => t is not null));
    }

    [Fact]
    public async Task Snapshots_expire_after_their_age_are_not_kept_over_their_row_limit_and_can_be_turned_off()
    {
        await using var host = new DevicesTestHost(azurite);
        var ids = IdsInOneBucket("AGE", 20, bucket: 9);
        await SeedAsync(host, ids.Select(Enrolled));
        var clock = new ManualClock();
        PushTargetSnapshots SnapshotsWith(PushOptions settings) => new(host.Service<DeviceTables>(), Options.Create(settings), clock);
        async Task<string?> MagicAsync(PushTargetSnapshots snapshots) => (await snapshots.EnrolledAsync(9, ids, Token)).GetValueOrDefault(ids[0])?.PushMagic;

        var snapshots = SnapshotsWith(new PushOptions { TargetSnapshotAge = TimeSpan.FromSeconds(30) });
        Assert.Equal(20, (await snapshots.EnrolledAsync(9, ids, Token)).Count);
        await SetAsync(host, ids[0], d => d.PushMagic = "second");
        clock.Now += TimeSpan.FromSeconds(29);
        Assert.Equal("magic-" + ids[0], await MagicAsync(snapshots));
        clock.Now += TimeSpan.FromSeconds(2);
        Assert.Equal("second", await MagicAsync(snapshots));

        var small = SnapshotsWith(new PushOptions { TargetSnapshotAge = TimeSpan.FromSeconds(30), TargetSnapshotRows = 19 });
        Assert.Equal("second", await MagicAsync(small));
        await SetAsync(host, ids[0], d => d.PushMagic = "third");
        Assert.Equal("third", await MagicAsync(small));

        Assert.Empty(await SnapshotsWith(new PushOptions { TargetSnapshotAge = TimeSpan.Zero }).EnrolledAsync(9, ids, Token));
    }
}
