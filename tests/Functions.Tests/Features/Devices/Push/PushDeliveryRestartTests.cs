using System.Net;
using System.Net.Http.Json;
using ManagedDistribution.AppleEmulator.Apns;
using ManagedDistribution.Features.Tasks;
using ManagedDistribution.Platform.Http;
using ManagedDistribution.Tests.Infrastructure;
using static ManagedDistribution.Tests.Features.Devices.Push.PushDeliveryTestHost;

namespace ManagedDistribution.Tests.Features.Devices.Push;

/// <summary>The push delivery workflow across app restarts, and cancelled through the API.</summary>
public sealed class PushDeliveryRestartTests(AzuriteFixture azurite, ApnsEmulatorFixture emulator) : IClassFixture<ApnsEmulatorFixture>
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;
    ApnsRegistry Apns => emulator.Host.Apns.Registry;

    [Fact]
    public async Task AWorkflowSurvivesRestartsBetweenItsStepsWithoutDuplicatePushes()
    {
        var targets = new InMemoryPushTargets();
        var channels = Enumerable.Range(0, 3).Select(_ => targets.Add(emulator.Topic, waiting: 3)).ToList();
        var prefix = AzuriteFixture.NewPrefix();
        var window = new Dictionary<string, string?> { ["Push:CheckinWindow"] = "00:00:06" };
        string id;

        // 1. Scheduled by an instance whose triggers never run: the first wave runs inside the start
        //    (each channel pushed once), then only the rows and the check-in timer messages exist.
        await using (var scheduling = NewApp(azurite, emulator, targets, prefix, new(window) { ["Hosting:RunTriggers"] = "false" }))
        {
            id = await scheduling.Scheduler().SchedulePushesAsync(channels, "refresh", "restart-" + Guid.NewGuid(), Cancel);
            using var client = scheduling.CreateAdminClient();
            var started = await client.GetFromJsonAsync<TaskDetailView>($"/api/tasks/{id}", Cancel);
            Assert.Equal(new Dictionary<string, int> { ["pushed"] = 3 }, started!.Task.Progress);
        }
        Assert.All(channels, c => Assert.Single(Apns.DeliveredTo(targets[c].TokenHex)));
        channels.ForEach(targets.CheckIn);

        // 2. Another instance on the same storage runs the check-in wave and finishes it, pushing nothing again.
        await using var second = NewApp(azurite, emulator, targets, prefix, window);
        using var secondClient = second.CreateAdminClient();
        var done = await secondClient.WaitForFinishAsync(id);

        Assert.Equal(("completed", 0), (done.Task.State, done.Task.Open));
        Assert.Equal(new Dictionary<string, int> { ["delivered"] = 3 }, done.Task.Progress);
        Assert.All(channels, c => Assert.Single(Apns.DeliveredTo(targets[c].TokenHex)));
    }

    [Fact]
    public async Task CancelStopsTheWavesIsIdempotentAndRefusesFinishedTasks()
    {
        var targets = new InMemoryPushTargets();
        var channels = Enumerable.Range(0, 2).Select(_ => targets.Add(emulator.Topic)).ToList();
        await using var app = NewApp(azurite, emulator, targets, settings: new() { ["Push:CheckinWindow"] = "00:00:30" });
        using var client = app.CreateAdminClient();
        var id = await app.Scheduler().SchedulePushesAsync(channels, "refresh", "cancel-" + Guid.NewGuid(), Cancel);
        await client.WaitForAsync(id, t => t.Progress.GetValueOrDefault("pushed") == 2, "the first wave");
        Assert.Contains((await client.GetFromJsonAsync<TaskListView>("/api/tasks?state=active", Cancel))!.Items, t => t.Id == id);

        var cancelled = await client.PostAsync($"/api/tasks/{id}/cancel", null, Cancel);
        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        Assert.Equal("cancelled", (await cancelled.Content.ReadFromJsonAsync<TaskView>(Cancel))!.State);
        var done = await client.WaitForFinishAsync(id);
        Assert.Equal(new Dictionary<string, int> { ["cancelled"] = 2 }, done.Task.Progress);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/tasks/{id}/cancel", null, Cancel)).StatusCode);
        Assert.All(channels, c => Assert.Single(Apns.DeliveredTo(targets[c].TokenHex)));
        Assert.All(channels, c => Assert.Equal(0, targets[c].ExpireCalls)); // cancelling leaves the commands queued

        var empty = await app.Scheduler().SchedulePushesAsync([], "refresh", "empty-" + Guid.NewGuid(), Cancel);
        var refused = await client.PostAsync($"/api/tasks/{empty}/cancel", null, Cancel);
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains(ProblemCodes.TaskFinished.Code, await refused.Content.ReadAsStringAsync(Cancel));
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync("/api/tasks/nope/cancel", null, Cancel)).StatusCode);
    }
}
