using System.Net;
using System.Net.Http.Json;
using ManagedDistribution.AppleEmulator.Apns;
using ManagedDistribution.Features.Devices;
using ManagedDistribution.Features.Devices.Registry;
using ManagedDistribution.Features.Tasks;
using ManagedDistribution.Tests.Infrastructure;
using static ManagedDistribution.Tests.Features.Devices.Push.PushDeliveryTestHost;

namespace ManagedDistribution.Tests.Features.Devices.Push;

/// <summary>
/// The push delivery workflow end to end: the real app and queue listener on Azurite, the real
/// APNs client over HTTP/2 TLS to the emulator, an in-memory stand-in for the device registry.
/// </summary>
public sealed class PushDeliveryTests(AzuriteFixture azurite, ApnsEmulatorFixture emulator) : IClassFixture<ApnsEmulatorFixture>
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;
    ApnsRegistry Apns => emulator.Host.Apns.Registry;

    int PushesTo(InMemoryPushTargets targets, ChannelId channel) => Apns.DeliveredTo(targets[channel].TokenHex).Count;

    [Fact]
    public async Task ThreeChannelsArePushedOnceEachAndDeliveredWhenTheyCheckIn()
    {
        var targets = new InMemoryPushTargets();
        var channels = Enumerable.Range(0, 3).Select(_ => targets.Add(emulator.Topic, waiting: 4)).ToList();
        using var responsive = Responsive(Apns, targets, channels);
        await using var app = NewApp(azurite, emulator, targets);
        using var client = app.CreateAdminClient();

        var id = await app.Scheduler().SchedulePushesAsync(channels, "refresh", "refresh-" + Guid.NewGuid(), Cancel);
        var done = await client.WaitForFinishAsync(id);

        Assert.Equal(("push", "completed", "refresh", 3, 0), (done.Task.Kind, done.Task.State, done.Task.Reason, done.Task.Total, done.Task.Open));
        Assert.Equal(new Dictionary<string, int> { ["delivered"] = 3 }, done.Task.Progress);
        Assert.All(channels, c => Assert.Equal(1, PushesTo(targets, c)));
        Assert.Equal(channels.Select(c => c.DeviceId).Order(), done.Items.Select(i => i.Title!).Order());
        Assert.All(done.Items, i => Assert.Equal(("delivered", 1), (i.State, i.Attempts)));

        var completed = await client.GetFromJsonAsync<TaskListView>("/api/tasks?state=completed", Cancel);
        Assert.Contains(completed!.Items, t => t.Id == id && t.Progress["delivered"] == 3);
        var active = await client.GetFromJsonAsync<TaskListView>("/api/tasks", Cancel);
        Assert.DoesNotContain(active!.Items, t => t.Id == id);
        var firstPage = await client.GetTaskAsync(id, "?pageSize=2");
        Assert.Equal(2, firstPage.Items.Count);
        var secondPage = await client.GetTaskAsync(id, "?pageSize=2&continuationToken=" + firstPage.ContinuationToken);
        Assert.Single(secondPage.Items);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/tasks?state=bogus", Cancel)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync($"/api/tasks/{id}?continuationToken=garbage", Cancel)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/tasks/nope", Cancel)).StatusCode);
    }

    [Fact]
    public async Task ChannelsAreSeededInDeviceBucketOrderSoAChunkSharesFewBuckets()
    {
        var targets = new InMemoryPushTargets();
        var channels = Enumerable.Range(0, 8).Select(_ => targets.Add(emulator.Topic)).ToList();
        using var responsive = Responsive(Apns, targets, channels);
        await using var app = NewApp(azurite, emulator, targets, settings: new() { ["Push:ChunkSize"] = "2" });
        using var client = app.CreateAdminClient();

        var id = await app.Scheduler().SchedulePushesAsync(channels, "refresh", "refresh-" + Guid.NewGuid(), Cancel);
        var done = await client.WaitForFinishAsync(id);

        // Items are listed chunk by chunk: every chunk's buckets come at or after the previous chunk's.
        var chunks = done.Items.Select(i => DeviceRecord.BucketOf(ChannelId.Parse(i.Key).DeviceId)).Chunk(2).ToList();
        Assert.Equal(4, chunks.Count);
        for (var c = 1; c < chunks.Count; c++) Assert.True(chunks[c - 1].Max() <= chunks[c].Min(), $"chunk {c - 1} before chunk {c}");
        Assert.Equal(new Dictionary<string, int> { ["delivered"] = 8 }, done.Task.Progress);
    }

    [Fact]
    public async Task ASilentDeviceIsPushedAgainWithGrowingWaitsThenItsCommandsExpire()
    {
        var targets = new InMemoryPushTargets();
        var silent = targets.Add(emulator.Topic, waiting: 2);
        var answering = targets.Add(emulator.Topic);
        using var responsive = Responsive(Apns, targets, [answering]);
        await using var app = NewApp(azurite, emulator, targets, settings: new() { ["Push:BackoffFactor"] = "3" });
        using var client = app.CreateAdminClient();

        var id = await app.Scheduler().SchedulePushesAsync([silent, answering], "install", "install-" + Guid.NewGuid(), Cancel);
        var done = await client.WaitForFinishAsync(id);

        Assert.Equal(new Dictionary<string, int> { ["delivered"] = 1, ["expired"] = 1 }, done.Task.Progress);
        var pushes = Apns.DeliveredTo(targets[silent].TokenHex).Select(p => p.DeliveredAt).ToList();
        Assert.Equal(3, pushes.Count); // Push:MaxAttempts
        // Durable timers: window 1 s, then 1 s × 3. A busy machine can only lengthen a wait, so assert the lower bounds.
        Assert.True(pushes[1] - pushes[0] >= TimeSpan.FromSeconds(0.9), $"first wait ≥ the check-in window: {string.Join(", ", pushes.Select(p => p.ToString("HH:mm:ss.fff")))}");
        Assert.True(pushes[2] - pushes[1] >= TimeSpan.FromSeconds(2.9), $"second wait ≥ window × factor (back-off): {string.Join(", ", pushes.Select(p => p.ToString("HH:mm:ss.fff")))}");
        Assert.Equal((1, 2, 0), (targets[silent].ExpireCalls, targets[silent].ExpiredCommands, targets[silent].Waiting));
        Assert.Equal(1, PushesTo(targets, answering));
        Assert.Equal(0, targets[answering].ExpireCalls);
    }

    [Fact]
    public async Task OnePushPerChannelPerWaveDespiteManyCommandsAndDuplicateScheduling()
    {
        var targets = new InMemoryPushTargets();
        var channels = Enumerable.Range(0, 4).Select(_ => targets.Add(emulator.Topic, waiting: 25)).ToList();
        using var responsive = Responsive(Apns, targets, channels, delayMs: 300);
        await using var app = NewApp(azurite, emulator, targets);
        using var client = app.CreateAdminClient();
        var key = "assign-" + Guid.NewGuid();

        var ids = await Task.WhenAll(
            app.Scheduler().SchedulePushesAsync([.. channels, channels[0]], "assignment", key, Cancel),
            app.Scheduler().SchedulePushesAsync(channels, "assignment", key, Cancel),
            app.Scheduler().SchedulePushesAsync(channels, "other", "other-" + Guid.NewGuid(), Cancel));

        Assert.Equal(ids[0], ids[1]);
        Assert.NotEqual(ids[0], ids[2]);
        foreach (var id in ids.Distinct())
        {
            var done = await client.WaitForFinishAsync(id);
            Assert.Equal(4, done.Task.Total);
            Assert.Equal(0, done.Task.Open);
            Assert.DoesNotContain("expired", done.Task.Progress.Keys);
        }
        Assert.All(channels, c => Assert.Equal(1, PushesTo(targets, c)));
    }

    [Fact]
    public async Task UnregisteredAndBadTokensAreMarkedUnusableAndTheItemFails()
    {
        var targets = new InMemoryPushTargets();
        var (gone, bad, fine) = (targets.Add(emulator.Topic), targets.Add(emulator.Topic), targets.Add(emulator.Topic));
        Apns.MarkUnregistered(targets[gone].TokenHex);
        Apns.MarkBadToken(targets[bad].TokenHex);
        using var responsive = Responsive(Apns, targets, [fine]);
        await using var app = NewApp(azurite, emulator, targets);
        using var client = app.CreateAdminClient();

        var id = await app.Scheduler().SchedulePushesAsync([gone, bad, fine], "refresh", "tokens-" + Guid.NewGuid(), Cancel);
        var done = await client.WaitForFinishAsync(id);

        Assert.Equal(new Dictionary<string, int> { ["failed"] = 2, ["delivered"] = 1 }, done.Task.Progress);
        Assert.Equal((false, "Unregistered"), (targets[gone].TokenUsable, targets[gone].UnusableReason));
        Assert.Equal((false, "BadDeviceToken"), (targets[bad].TokenUsable, targets[bad].UnusableReason));
        Assert.True(targets[fine].TokenUsable);
        Assert.Equal(0, targets[gone].ExpireCalls);
    }

    [Fact]
    public async Task ApnsTroubleBeyondTheClientsRetriesIsPushedAgainNextWave()
    {
        var targets = new InMemoryPushTargets();
        var channel = targets.Add(emulator.Topic);
        Apns.FailNext(3, 503, "ServiceUnavailable", deviceToken: targets[channel].TokenHex); // Apns:MaxRetries 2 → three attempts fail
        using var responsive = Responsive(Apns, targets, [channel]);
        await using var app = NewApp(azurite, emulator, targets);
        using var client = app.CreateAdminClient();

        var id = await app.Scheduler().SchedulePushesAsync([channel], "refresh", "retry-" + Guid.NewGuid(), Cancel);
        var done = await client.WaitForFinishAsync(id);

        Assert.Equal(new Dictionary<string, int> { ["delivered"] = 1 }, done.Task.Progress);
        var item = Assert.Single(done.Items);
        Assert.Equal((2, null), (item.Attempts, item.Error)); // the 503 of the first wave is no longer the item's error
        Assert.Equal(1, PushesTo(targets, channel));
    }
}
