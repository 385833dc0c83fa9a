using System.Net;
using System.Net.Http.Json;
using ManagedDistribution.Tests.Features.Devices.Push;
using ManagedDistribution.Tests.Infrastructure;
using ManagedDistribution.Tests.Platform.Http;

namespace ManagedDistribution.Tests.Features.Invitations;

/// <summary>A user group's managed distribution changed for more members than a request holds: a task, chunk by chunk.</summary>
public sealed class GroupManagedDistributionTaskTests(AzuriteFixture azurite, ApnsEmulatorFixture emulator) : IClassFixture<ApnsEmulatorFixture>
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;
    static readonly Dictionary<string, string?> SmallTasks = new() { ["Invitations:GroupInlineLimit"] = "2", ["Invitations:GroupChunkSize"] = "2" };

    [Fact]
    public async Task ALargeGroupIsEnabledAndDisabledAsATaskChunkByChunk()
    {
        await using var host = CampaignTestHost.Start(azurite, emulator, settings: SmallTasks);
        var location = await host.InstallLocationAsync();
        string[] members = ["m1", "m2", "m3", "m4"];
        foreach (var id in members) await host.AddUserAsync(id, id + "@example.com");
        await host.AddUserAsync("m5", "m5@example.com", managedAppleId: "m5@appleid.example");
        await host.AddGroupAsync("school", [.. members, "m5"]);

        var started = await StartedAsync(await host.SetGroupEnabledAsync("school", true));
        Assert.Equal((5, 5), (started.GetProperty("members").GetInt32(), started.GetProperty("toChange").GetInt32()));
        var done = await host.Admin.WaitForFinishAsync(started.GetProperty("taskId").GetString()!, 60);

        Assert.Equal("completed", done.Task.State);
        Assert.Equal((4, 1), (done.Task.Progress.GetValueOrDefault("registered"), done.Task.Progress.GetValueOrDefault("enrolled")));
        foreach (var id in members) Assert.Equal("notInvited", await host.StatusOfAsync(id));
        Assert.Equal("enrolled", await host.StatusOfAsync("m5"));
        Assert.Equal(["m5"], host.Enrolments.Enrolled);
        Assert.Equal(5, location.UsersSnapshot().Count(u => u.Status is "Registered" or "Associated"));
        // Nothing left to change: answered at once.
        var again = await CampaignTestHost.OkAsync(await host.SetGroupEnabledAsync("school", true));
        Assert.Equal((0, 5), (again.GetProperty("changed").GetInt32(), again.GetProperty("unchanged").GetInt32()));

        var disabling = await StartedAsync(await host.SetGroupEnabledAsync("school", false));
        var disabled = await host.Admin.WaitForFinishAsync(disabling.GetProperty("taskId").GetString()!, 60);
        Assert.Equal(5, disabled.Task.Progress.GetValueOrDefault("retired"));
        Assert.All(location.UsersSnapshot(), u => Assert.Equal("Retired", u.Status));
        Assert.Equal("retired", await host.StatusOfAsync("m3"));
    }

    [Fact]
    public async Task AskingAgainWhileTheTaskRunsAnswersThatTaskAndTheOppositeWaitsForIt()
    {
        // Triggers off: the task's chunks wait in their queue, so it stays running.
        var settings = new Dictionary<string, string?>(SmallTasks) { ["Hosting:RunTriggers"] = "false" };
        await using var host = CampaignTestHost.Start(azurite, emulator, settings: settings);
        await host.InstallLocationAsync();
        foreach (var id in (string[])["r1", "r2", "r3"]) await host.AddUserAsync(id, id + "@example.com");
        await host.AddGroupAsync("g", "r1", "r2", "r3");

        var first = await StartedAsync(await host.SetGroupEnabledAsync("g", true));
        var second = await StartedAsync(await host.SetGroupEnabledAsync("g", true));
        Assert.Equal(first.GetProperty("taskId").GetString(), second.GetProperty("taskId").GetString());
        var opposite = await ProblemAssert.IsProblemAsync(await host.SetGroupEnabledAsync("g", false), HttpStatusCode.Conflict, "conflict");
        Assert.Equal(first.GetProperty("taskId").GetString(), opposite.GetProperty("taskId").GetString());
        Assert.Equal("notInvited", await host.StatusOfAsync("r1")); // not enabled yet: nothing ran
    }

    static async Task<System.Text.Json.JsonElement> StartedAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync(Cancel);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"Expected 202, got {(int)response.StatusCode}: {body}");
        Assert.Equal($"/api/tasks/{System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("taskId").GetString()}", response.Headers.Location?.ToString());
        return System.Text.Json.JsonDocument.Parse(body).RootElement.Clone();
    }
}
