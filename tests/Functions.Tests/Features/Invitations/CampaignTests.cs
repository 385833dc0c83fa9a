using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using ManagedDistribution.AppleEmulator.Devices;
using ManagedDistribution.Features.Devices.Admin;
using ManagedDistribution.Features.Invitations.Campaigns;
using ManagedDistribution.Features.Tasks;
using ManagedDistribution.Platform.Workflows;
using ManagedDistribution.Tests.Features.Devices.Push;
using ManagedDistribution.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace ManagedDistribution.Tests.Features.Invitations;

/// <summary>Group invitation campaigns end to end: mail to a pickup folder, devices through the simulator, acceptance from the emulator.</summary>
public sealed class CampaignTests(AzuriteFixture azurite, ApnsEmulatorFixture emulator) : IClassFixture<ApnsEmulatorFixture>
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;
    static readonly Dictionary<string, string?> ShortFollow = new() { ["Invitations:FollowFor"] = "00:00:02" };

    [Fact]
    public async Task AnEmailCampaignSkipsAndFailsWithReasonsAndStartingAgainInvitesNobodyTwice()
    {
        await using var host = CampaignTestHost.Start(azurite, emulator, settings: ShortFollow);
        await host.InstallLocationAsync();
        foreach (var id in new[] { "ok1", "ok2", "ok3" }) await host.AddUserAsync(id, id + "@example.com");
        await host.AddUserAsync("bounce", CampaignTestHost.FailingAddress);
        await host.AddUserAsync("silent");
        await host.AddUserAsync("off", "off@example.com");
        await host.AddGroupAsync("g", "ok1", "ok2", "ok3", "bounce", "silent");
        await CampaignTestHost.OkAsync(await host.SetGroupEnabledAsync("g", true));
        await host.Admin.PostAsJsonAsync("/api/user-groups/g/members", new { ids = new[] { "off" } }, Cancel);

        var (taskId, count, body) = await host.StartCampaignAsync("g", "notInvited", "email");
        Assert.Equal(4, count);
        Assert.Equal(1, body.GetProperty("skipped").GetProperty("no-email").GetInt32());
        Assert.Equal(1, body.GetProperty("skipped").GetProperty("managed-distribution-not-enabled").GetInt32());
        var done = await host.Admin.WaitForFinishAsync(taskId, 60);
        Assert.Equal(new Dictionary<string, int>
        {
            ["sent"] = 3, ["failed"] = 1, ["skipped-no-email"] = 1, ["skipped-managed-distribution-not-enabled"] = 1,
        }, done.Task.Progress);
        Assert.Contains("550", done.Items.Single(i => i.Key == "bounce").Error);
        var progressOnly = await CampaignTestHost.OkAsync(await host.Admin.GetAsync($"/api/tasks/{taskId}?pageSize=0", Cancel));
        Assert.Equal(0, progressOnly.GetProperty("items").GetArrayLength());
        Assert.Equal(3, progressOnly.GetProperty("task").GetProperty("progress").GetProperty("sent").GetInt32());
        Assert.Equal(3, host.PickupFiles().Length);
        Assert.Equal("invited", await host.StatusOfAsync("ok1"));
        Assert.Equal("notInvited", await host.StatusOfAsync("bounce")); // the mail never left
        var firstInvitedAt = (await CampaignTestHost.OkAsync(await host.Admin.GetAsync("/api/users/ok1/managed-distribution", Cancel))).GetProperty("invitedAt").GetDateTimeOffset();

        // Again: the three invited are skipped; only the bounced address is tried again.
        var (againId, againCount, againBody) = await host.StartCampaignAsync("g", "notInvited", "email");
        Assert.NotEqual(taskId, againId);
        Assert.Equal(1, againCount);
        Assert.Equal(3, againBody.GetProperty("skipped").GetProperty("already-invited").GetInt32());
        await host.Admin.WaitForFinishAsync(againId, 60);
        Assert.Equal(3, host.PickupFiles().Length);
        var invitedAt = (await CampaignTestHost.OkAsync(await host.Admin.GetAsync("/api/users/ok1/managed-distribution", Cancel))).GetProperty("invitedAt").GetDateTimeOffset();
        Assert.Equal(firstInvitedAt, invitedAt);

        // The same plan started again is the same task.
        var (thirdId, _, third) = await host.StartCampaignAsync("g", "notInvited", "email");
        Assert.Equal(againId, thirdId);
        Assert.True(third.GetProperty("alreadyStarted").GetBoolean());
        host.DeletePickup();
    }

    [Fact]
    public async Task ResendOlderThanInvitesAgainThoseInvitedBefore()
    {
        await using var host = CampaignTestHost.Start(azurite, emulator, settings: ShortFollow);
        await host.InstallLocationAsync();
        await host.AddUserAsync("r1", "r1@example.com");
        await host.AddGroupAsync("g", "r1");
        await CampaignTestHost.OkAsync(await host.SetGroupEnabledAsync("g", true));
        var (first, _, _) = await host.StartCampaignAsync("g", "notInvited", "email");
        await host.Admin.WaitForFinishAsync(first, 60);

        Assert.Equal(0, (await host.PreviewAsync("g", "notInvited", "email")).GetProperty("count").GetInt32());
        await Task.Delay(1100, Cancel);
        var (resend, count, _) = await host.StartCampaignAsync("g", "notInvited", "email", resendOlderThan: "00:00:01");
        Assert.Equal(1, count);
        var done = await host.Admin.WaitForFinishAsync(resend, 60);
        Assert.Equal(1, done.Task.Progress["sent"]);
        Assert.Equal(2, host.PickupFiles().Length); // one mail per campaign
        var (notEnrolled, notEnrolledCount, _) = await host.StartCampaignAsync("g", "notEnrolled", "email", resendOlderThan: "1.00:00:00");
        Assert.Equal(0, notEnrolledCount); // invited a moment ago
        await host.Admin.WaitForFinishAsync(notEnrolled, 60);
        host.DeletePickup();
    }

    [Fact]
    public async Task ACampaignSurvivesARestartWithoutLosingOrDuplicatingMail()
    {
        var prefix = AzuriteFixture.NewPrefix();
        var users = Enumerable.Range(1, 10).Select(i => $"u{i:D2}").ToArray();
        string taskId, pickup;
        // 1. An instance whose triggers never run: only the workflow rows and chunk messages exist.
        await using (var starting = CampaignTestHost.Start(azurite, emulator, prefix, settings: new() { ["Hosting:RunTriggers"] = "false" }))
        {
            pickup = starting.PickupDirectory;
            await starting.InstallLocationAsync();
            foreach (var user in users) await starting.AddUserAsync(user, user + "@example.com");
            await starting.AddGroupAsync("big", users);
            await CampaignTestHost.OkAsync(await starting.SetGroupEnabledAsync("big", true));
            (taskId, _, _) = await starting.StartCampaignAsync("big", "notInvited", "email");
        }
        Assert.Empty(System.IO.Directory.Exists(pickup) ? System.IO.Directory.GetFiles(pickup) : []);

        // 2. Another instance starts sending and is stopped part-way.
        await using (var first = CampaignTestHost.Start(azurite, emulator, prefix, pickup, ShortFollow))
            await first.WaitForTaskAsync(taskId, t => t.Progress.GetValueOrDefault("sent") > 0, "the first mails");

        // 3. A third instance on the same storage finishes it.
        await using var second = CampaignTestHost.Start(azurite, emulator, prefix, pickup, ShortFollow);
        var done = await second.Admin.WaitForFinishAsync(taskId, 60);
        Assert.Equal(new Dictionary<string, int> { ["sent"] = 10 }, done.Task.Progress);
        Assert.Equal(users.Select(u => $"invitation-{taskId}-{u}.eml"), second.PickupFiles().Select(Path.GetFileName).Order(StringComparer.Ordinal));
        foreach (var user in users) Assert.Equal("invited", await second.StatusOfAsync(user));
        second.DeletePickup();
    }

    [Fact]
    public async Task ADeviceCampaignSurvivesARestartWithoutQueueingAnInvitationTwice()
    {
        var prefix = AzuriteFixture.NewPrefix();
        var users = Enumerable.Range(1, 8).Select(i => $"d{i:D2}").ToArray();
        string taskId;
        SimulatedDevice[] devices;
        // 1. An instance whose triggers never run: the group's iPads enrolled, the campaign planned, nothing sent.
        await using (var starting = CampaignTestHost.Start(azurite, emulator, prefix, settings: new() { ["Hosting:RunTriggers"] = "false" }))
        {
            await starting.InstallLocationAsync();
            devices = await starting.EnabledGroupWithIPadsAsync("big", users);
            (taskId, _, _) = await starting.StartCampaignAsync("big", "notInvited", "device");
        }

        // 2. Another instance starts sending (chunks of 3) and is stopped part-way.
        await using (var first = CampaignTestHost.Start(azurite, emulator, prefix, settings: ShortFollow))
            await first.WaitForTaskAsync(taskId, t => t.Progress.GetValueOrDefault("sent") > 0, "the first invitations");

        // 3. A third instance on the same storage finishes it: every iPad has one InviteToProgram, every user is invited.
        await using var second = CampaignTestHost.Start(azurite, emulator, prefix, settings: ShortFollow);
        var done = await second.Admin.WaitForFinishAsync(taskId, 60);
        Assert.Equal(new Dictionary<string, int> { ["sent"] = 8 }, done.Task.Progress);
        foreach (var device in devices)
        {
            var commands = (await second.Admin.GetFromJsonAsync<DeviceCommands>($"/api/devices/{device.Udid}/commands", CampaignTestHost.Json, Cancel))!;
            Assert.Single(commands.Items, c => c.RequestType == "InviteToProgram");
        }
        foreach (var user in users) Assert.Equal("invited", await second.StatusOfAsync(user));
    }

    [Fact]
    public async Task CampaignsPlannedOnTheSameStatesInviteEachUserOnceAndSkipUsersChangedSincePlanning()
    {
        var prefix = AzuriteFixture.NewPrefix();
        var users = new[] { "p1", "p2", "p3", "p4" };
        string first, second, pickup;
        // Both campaigns are planned (claims carry the planned ETags) before either runs.
        await using (var planning = CampaignTestHost.Start(azurite, emulator, prefix, settings: new() { ["Hosting:RunTriggers"] = "false" }))
        {
            pickup = planning.PickupDirectory;
            await planning.InstallLocationAsync();
            foreach (var user in users) await planning.AddUserAsync(user, user + "@example.com");
            await planning.AddGroupAsync("both", users);
            await CampaignTestHost.OkAsync(await planning.SetGroupEnabledAsync("both", true));
            (first, _, _) = await planning.StartCampaignAsync("both", "notInvited", "email");
            (second, _, _) = await planning.StartCampaignAsync("both", "notInvited", "email", resendOlderThan: "1.00:00:00");
            await CampaignTestHost.OkAsync(await planning.SetUserEnabledAsync("p4", false)); // changed after planning
        }

        await using var running = CampaignTestHost.Start(azurite, emulator, prefix, pickup, ShortFollow);
        var a = (await running.Admin.WaitForFinishAsync(first, 60)).Task.Progress;
        var b = (await running.Admin.WaitForFinishAsync(second, 60)).Task.Progress;
        Assert.Equal(3, a.GetValueOrDefault("sent") + b.GetValueOrDefault("sent"));
        Assert.Equal(3, a.GetValueOrDefault("skipped-already-invited") + b.GetValueOrDefault("skipped-already-invited"));
        Assert.Equal(1, a["skipped-managed-distribution-not-enabled"]);
        Assert.Equal(1, b["skipped-managed-distribution-not-enabled"]);
        Assert.Equal(3, running.PickupFiles().Length);
        foreach (var user in users[..3]) Assert.Equal("invited", await running.StatusOfAsync(user));
        running.DeletePickup();
    }

    [Fact]
    public async Task CancellingACampaignBeforeItRunsSendsNothing()
    {
        var prefix = AzuriteFixture.NewPrefix();
        string taskId, pickup;
        await using (var starting = CampaignTestHost.Start(azurite, emulator, prefix, settings: new() { ["Hosting:RunTriggers"] = "false" }))
        {
            pickup = starting.PickupDirectory;
            await starting.InstallLocationAsync();
            foreach (var user in new[] { "c1", "c2", "c3", "c4" }) await starting.AddUserAsync(user, user + "@example.com");
            await starting.AddGroupAsync("g", "c1", "c2", "c3", "c4");
            await CampaignTestHost.OkAsync(await starting.SetGroupEnabledAsync("g", true));
            (taskId, _, _) = await starting.StartCampaignAsync("g", "notInvited", "email");
            var cancelled = await starting.Admin.PostAsync($"/api/tasks/{taskId}/cancel", null, Cancel);
            Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        }
        await using var running = CampaignTestHost.Start(azurite, emulator, prefix, pickup);
        var done = await running.Admin.WaitForFinishAsync(taskId, 60);
        Assert.Equal(("cancelled", 4), (done.Task.State, done.Task.Progress["cancelled"]));
        Assert.Empty(running.PickupFiles());
        Assert.Equal("notInvited", await running.StatusOfAsync("c1"));
    }

    [Theory]
    [InlineData(500)] // a small group's devices found through the devices-by-user index
    [InlineData(0)] // every enrolled device read, as for a large group
    public async Task ADeviceCampaignIsDeliveredAndAcceptedThroughTheSimulatorAndApple(int indexedLookupMaxMembers)
    {
        await using var host = CampaignTestHost.Start(azurite, emulator,
            settings: new() { ["Invitations:IndexedDeviceLookupMaxMembers"] = indexedLookupMaxMembers.ToString(CultureInfo.InvariantCulture) });
        var location = await host.InstallLocationAsync();
        await host.AddUserAsync("pad", "pad@example.com");
        await host.AddUserAsync("mac", "mac@example.com");
        await host.AddUserAsync("none", "none@example.com");
        await host.AddUserAsync("outsider", "outsider@example.com");
        await host.AddGroupAsync("g", "pad", "mac", "none");
        await CampaignTestHost.OkAsync(await host.SetGroupEnabledAsync("g", true));
        host.StartSimulator(accept: true);
        var ipad = await host.EnrolDeviceForAsync("pad");
        await host.EnrolDeviceForAsync("mac", DeviceKind.Mac);
        var outsider = await host.EnrolDeviceForAsync("outsider");

        var (taskId, count, body) = await host.StartCampaignAsync("g", "notInvited", "device");
        Assert.Equal(2, count);
        Assert.Equal(1, body.GetProperty("skipped").GetProperty("no-enrolled-device").GetInt32());
        var done = await host.WaitForTaskAsync(taskId, t => t.Progress.GetValueOrDefault("accepted") == 2, "both users to accept");

        Assert.Equal("enrolled", await host.StatusOfAsync("pad"));
        Assert.Equal("enrolled", await host.StatusOfAsync("mac"));
        Assert.Equal(["mac", "pad"], host.Enrolments.Enrolled.Order(StringComparer.Ordinal));
        Assert.Equal("Associated", location.UsersSnapshot().Single(u => u.ClientUserId == "pad").Status);
        var invitation = Assert.Single(ipad.Invitations);
        Assert.Equal("com.apple.cloudvpp", invitation.ProgramId);
        Assert.Contains(location.UsersSnapshot().Single(u => u.ClientUserId == "pad").InviteCode!, invitation.InvitationUrl);
        var finished = await host.Admin.WaitForFinishAsync(done.Task.Id, 60);
        Assert.Equal(2, finished.Task.Progress["accepted"]);
        Assert.Empty(outsider.Invitations);
    }

    [Fact]
    public async Task DeviceChunksTakingTurnsToSendStillInviteEveryone()
    {
        // One recipient per chunk, one chunk sending at a time: the chunks that wait get their turn.
        await using var host = CampaignTestHost.Start(azurite, emulator,
            settings: new() { ["Invitations:DeviceChunkSize"] = "1", ["Invitations:DeviceChunksAtOnce"] = "1" });
        await host.InstallLocationAsync();
        var devices = await host.EnabledGroupWithIPadsAsync("g", "u1", "u2", "u3", "u4");

        var (taskId, count, _) = await host.StartCampaignAsync("g", "notInvited", "device");
        Assert.Equal(4, count);
        await host.WaitForTaskAsync(taskId, t => t.Progress.GetValueOrDefault("accepted") == 4, "every user to accept");
        Assert.All(devices, d => Assert.Single(d.Invitations));
    }

    [Fact]
    public async Task ADeviceChunkThatGetsItsTurnAfterTheCampaignWasCancelledSendsNothing()
    {
        // Triggers off: the test plays the chunk's wave itself, as loaded before the cancel.
        await using var host = CampaignTestHost.Start(azurite, emulator, settings: new() { ["Hosting:RunTriggers"] = "false" });
        await host.InstallLocationAsync();
        var devices = await host.EnabledGroupWithIPadsAsync("g", "w1", "w2");
        var (taskId, count, _) = await host.StartCampaignAsync("g", "notInvited", "device");
        Assert.Equal(2, count);
        var engine = host.App.Services.GetRequiredService<WorkflowEngine>();
        var loaded = (await engine.GetAsync(taskId, Cancel))!;
        var items = (await engine.GetItemsAsync(taskId, null, 10, Cancel)).Items;

        Assert.Equal(HttpStatusCode.OK, (await host.Admin.PostAsync($"/api/tasks/{taskId}/cancel", null, Cancel)).StatusCode);
        var wave = await host.App.Services.GetRequiredService<CampaignProcessor>().ProcessAsync(new WorkflowChunk(loaded, 0, 0, items), Cancel);

        Assert.Empty(wave.Updated);
        Assert.Equal("notInvited", await host.StatusOfAsync("w1"));
        Assert.Equal("notInvited", await host.StatusOfAsync("w2"));
        Assert.All(devices, d => Assert.Empty(d.Invitations));
    }

    [Fact]
    public async Task AnAcceptanceWakesTheChunkInsteadOfWaitingForItsNextLook()
    {
        // Looks at sent invitations only every five minutes: the accepted items below come from wakes.
        await using var host = CampaignTestHost.Start(azurite, emulator, settings: new()
        {
            ["Invitations:FollowInterval"] = "00:05:00", ["Invitations:FollowIntervalMax"] = "00:05:00",
        });
        await host.InstallLocationAsync();
        await host.EnabledGroupWithIPadsAsync("g", "pad", "pad2");

        var (taskId, count, _) = await host.StartCampaignAsync("g", "notInvited", "device");

        Assert.Equal(2, count);
        var done = await host.WaitForTaskAsync(taskId, t => t.Progress.GetValueOrDefault("accepted") == 2, "both acceptances to wake their chunk");
        Assert.Equal("enrolled", await host.StatusOfAsync("pad2"));
        Assert.Equal(2, (await host.Admin.WaitForFinishAsync(done.Task.Id, 60)).Task.Progress["accepted"]);
    }

    [Fact]
    public async Task ActiveTasksShowDeviceInvitationsInFlightWithUserAndDeviceNames()
    {
        await using var host = CampaignTestHost.Start(azurite, emulator);
        await host.InstallLocationAsync();
        await host.AddUserAsync("slow", "slow@example.com");
        await host.AddUserAsync("solo", "solo@example.com");
        await host.AddGroupAsync("g", "slow");
        await CampaignTestHost.OkAsync(await host.SetGroupEnabledAsync("g", true));
        await CampaignTestHost.OkAsync(await host.SetUserEnabledAsync("solo", true));
        // Devices that answer NotNow to InviteToProgram keep the invitations in flight.
        host.StartSimulator(accept: false, o => o.RatesByRequestType["InviteToProgram"] = new OutcomeRates { NotNow = 1 });
        var slowDevice = await host.EnrolDeviceForAsync("slow");
        var soloDevice = await host.EnrolDeviceForAsync("solo");

        var (taskId, _, _) = await host.StartCampaignAsync("g", "notInvited", "device");
        var single = await CampaignTestHost.OkAsync(await host.Admin.PostAsJsonAsync("/api/users/solo/invitations", new { channel = "device" }, Cancel));
        var singleTask = single.GetProperty("taskId").GetString()!;
        await host.WaitForTaskAsync(taskId, t => t.Progress.GetValueOrDefault("sent") == 1, "the campaign's invitation sent");
        await host.WaitForTaskAsync(singleTask, t => t.Progress.GetValueOrDefault("sent") == 1, "the single invitation followed");

        var active = (await host.Admin.GetFromJsonAsync<TaskListView>("/api/tasks?state=active", Cancel))!;
        Assert.Contains(active.Items, t => t.Id == taskId && t.Kind == "invitation-campaign");
        var inFlight = active.DeviceInvitations!;
        Assert.False(active.DeviceInvitationsTruncated);
        var slow = Assert.Single(inFlight, d => d.TaskId == taskId);
        Assert.Equal(("slow", "User slow", "sent"), (slow.UserId, slow.UserFullName, slow.Status));
        Assert.Equal(await DeviceNameAsync(host, slowDevice), slow.DeviceName);
        var solo = Assert.Single(inFlight, d => d.TaskId == singleTask);
        Assert.Equal(("User solo", await DeviceNameAsync(host, soloDevice)), (solo.UserFullName, solo.DeviceName));

        var detail = await host.Admin.GetTaskAsync(taskId, "?pageSize=10");
        Assert.Equal("User slow", Assert.Single(detail.Items).Title);
    }

    static async Task<string> DeviceNameAsync(CampaignTestHost host, SimulatedDevice device)
    {
        var shown = await CampaignTestHost.OkAsync(await host.Admin.GetAsync("/api/devices/" + device.Udid, Cancel));
        return shown.TryGetProperty("name", out var name) && name.ValueKind == System.Text.Json.JsonValueKind.String ? name.GetString()!
            : shown.TryGetProperty("deviceName", out var deviceName) && deviceName.ValueKind == System.Text.Json.JsonValueKind.String ? deviceName.GetString()!
            : device.Udid;
    }
}
