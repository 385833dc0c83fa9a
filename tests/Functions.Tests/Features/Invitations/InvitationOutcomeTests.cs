using System.Net.Http.Json;
using ManagedDistribution.AppleEmulator.AppsAndBooks;
using ManagedDistribution.AppleEmulator.Devices;
using ManagedDistribution.Tests.Features.Devices.Push;
using ManagedDistribution.Tests.Features.LocationTokens;
using ManagedDistribution.Tests.Infrastructure;

namespace ManagedDistribution.Tests.Features.Invitations;

/// <summary>
/// Single-user and campaign invitations beyond the plain path: devices that answer other than
/// "done", a Mac user's channel, and a user's acceptance racing their invitation.
/// </summary>
public sealed class InvitationOutcomeTests(AzuriteFixture azurite, ApnsEmulatorFixture emulator) : IClassFixture<ApnsEmulatorFixture>
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ADeviceThatDeclinesFailsItsRecipientWhileAUserWithAnotherDeviceThatAcknowledgedIsDelivered()
    {
        await using var host = CampaignTestHost.Start(azurite, emulator);
        await host.InstallLocationAsync();
        foreach (var user in (string[])["declines", "delivers", "two"]) await host.AddUserAsync(user, user + "@example.com");
        await host.AddGroupAsync("g", "declines", "delivers", "two");
        await CampaignTestHost.OkAsync(await host.SetGroupEnabledAsync("g", true));
        // Nobody accepts: what the recipients show is their devices' answers alone.
        var simulator = host.StartSimulator(accept: false);
        var declining = await host.EnrolDeviceForAsync("declines");
        await host.EnrolDeviceForAsync("delivers");
        var failing = await host.EnrolDeviceForAsync("two");
        await host.EnrolDeviceForAsync("two");
        // Acknowledged, but InvitationResult InvalidInvitationURL: the invitation was not issued.
        simulator.Outcomes.Script(declining.Udid, "InviteToProgram", CommandOutcome.Declined);
        simulator.Outcomes.Script(failing.Udid, "InviteToProgram", CommandOutcome.Error);

        var (taskId, count, _) = await host.StartCampaignAsync("g", "notInvited", "device");

        Assert.Equal(3, count);
        await host.WaitForTaskAsync(taskId, t => t.Progress.GetValueOrDefault("delivered") == 2 && t.Progress.GetValueOrDefault("failed") == 1,
            "two recipients delivered and one failed");
        var items = (await host.Admin.GetTaskAsync(taskId, "?pageSize=10")).Items.ToDictionary(i => i.Key);
        Assert.Equal("failed", items["declines"].State);
        Assert.Contains("InvalidInvitationURL", items["declines"].Error);
        Assert.Equal(("delivered", null), (items["delivers"].State, items["delivers"].Error));
        // One of two devices failed, the other acknowledged: delivered, in whichever order they answered.
        Assert.Equal(("delivered", null), (items["two"].State, items["two"].Error));
        Assert.Equal("invited", await host.StatusOfAsync("two"));
    }

    [Fact]
    public async Task AMacUsersInvitationGoesToTheirUserChannelAndIsAccepted()
    {
        await using var host = CampaignTestHost.Start(azurite, emulator);
        await host.InstallLocationAsync();
        await host.AddUserAsync("mia", "mia@example.com");
        await CampaignTestHost.OkAsync(await host.SetUserEnabledAsync("mia", true));
        host.StartSimulator(accept: true);
        var mac = await host.EnrolDeviceForAsync("mia", DeviceKind.Mac);

        var invited = await CampaignTestHost.OkAsync(await host.Admin.PostAsJsonAsync("/api/users/mia/invitations", new { channel = "device" }, Cancel));

        // InviteToProgram is refused on a Mac's device channel (the simulator answers Error): only the user channel works.
        var command = Assert.Single(invited.GetProperty("commands").EnumerateArray());
        Assert.Equal(mac.Udid, command.GetProperty("deviceId").GetString());
        Assert.StartsWith(mac.Udid + ":", command.GetProperty("channel").GetString(), StringComparison.Ordinal);
        await host.WaitForTaskAsync(invited.GetProperty("taskId").GetString()!, t => t.Progress.GetValueOrDefault("accepted") == 1, "the Mac user to accept");
        Assert.Equal("enrolled", await host.StatusOfAsync("mia"));
    }

    [Fact]
    public async Task AManagedAppleAccountEnabledAloneIsAnnouncedOnceWhicheverOfRequestAndNotificationComesFirst()
    {
        // Apple's USER_MANAGEMENT (associated) races the request's own Get Users: either way one announcement.
        await using var host = CampaignTestHost.Start(azurite, emulator);
        await host.InstallLocationAsync();
        await host.AddUserAsync("zed", "zed@example.com", managedAppleId: "zed@appleid.example");

        var enabled = await CampaignTestHost.OkAsync(await host.SetUserEnabledAsync("zed", true));

        Assert.Equal("enrolled", enabled.GetProperty("status").GetString());
        var ours = $":{host.Port}/";
        await VppTestHost.EventuallyAsync(() => Task.FromResult(host.Apple.Notifier.Attempts.Any(a =>
            a.Type == NotificationTypes.UserManagement && a.Url.Contains(ours, StringComparison.Ordinal) && a.Status == 200)), "Apple's USER_MANAGEMENT to be applied");
        Assert.Equal(["zed"], host.Enrolments.Enrolled);
        Assert.Equal("enrolled", await host.StatusOfAsync("zed"));
    }

    [Fact]
    public async Task AnInvitationWhoseUserAcceptedWhileItWasSentDoesNotUndoTheEnrolment()
    {
        await using var host = CampaignTestHost.Start(azurite, emulator);
        var location = await host.InstallLocationAsync();
        await host.AddUserAsync("quick", "quick@example.com");
        await CampaignTestHost.OkAsync(await host.SetUserEnabledAsync("quick", true));
        host.BeforeSend = async _ =>
        {
            // The user accepts (an earlier invitation) while this mail is on its way: Apple tells us.
            Assert.True(location.AcceptInvitation("quick"));
            await VppTestHost.EventuallyAsync(async () => await host.StatusOfAsync("quick") == "enrolled", "the acceptance to arrive");
        };

        var invited = await CampaignTestHost.OkAsync(await host.Admin.PostAsJsonAsync("/api/users/quick/invitations", new { channel = "email" }, Cancel));

        Assert.Equal("enrolled", invited.GetProperty("managedDistribution").GetProperty("status").GetString());
        Assert.Equal("enrolled", await host.StatusOfAsync("quick"));
        Assert.Single(host.PickupFiles());
    }
}
