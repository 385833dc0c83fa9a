using System.Globalization;
using System.Net.Http.Json;
using ManagedDistribution.Tests.Features.Devices.Push;
using ManagedDistribution.Tests.Features.Mail;
using ManagedDistribution.Tests.Infrastructure;

namespace ManagedDistribution.Tests.Features.Invitations;

/// <summary>Invitations through the app with the SMTP provider (a real SMTP server) and the SendGrid provider (a local HTTP capture of its API).</summary>
public sealed class InvitationMailProviderTests(AzuriteFixture azurite, ApnsEmulatorFixture emulator) : IClassFixture<ApnsEmulatorFixture>
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ACampaignGoesOutThroughAnSmtpRelay()
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        await using var host = CampaignTestHost.Start(azurite, emulator, settings: new()
        {
            ["Mail:Provider"] = "Smtp", ["Mail:Smtp:Host"] = "127.0.0.1", ["Mail:Smtp:Port"] = smtp.Port.ToString(CultureInfo.InvariantCulture),
            ["Mail:From"] = "invitations@lincoln.example",
        });
        var location = await host.InstallLocationAsync("Lincoln High");
        string[] users = ["s1", "s2", "s3", "s4"];
        foreach (var user in users) await host.AddUserAsync(user, user + "@example.com");
        await host.AddGroupAsync("g", users);
        await CampaignTestHost.OkAsync(await host.SetGroupEnabledAsync("g", true));

        var (taskId, count, _) = await host.StartCampaignAsync("g", "notInvited", "email");

        Assert.Equal(4, count);
        await host.WaitForTaskAsync(taskId, t => t.Progress.GetValueOrDefault("sent") == 4, "four invitations sent");
        Assert.Equal(users.Select(u => u + "@example.com"), smtp.Received.SelectMany(m => m.Envelope.RcptTos).Order(StringComparer.Ordinal));
        foreach (var received in smtp.Received)
        {
            Assert.Equal("invitations@lincoln.example", received.Envelope.MailFrom);
            var mail = received.Parse();
            Assert.Empty(mail.Defects);
            var user = location.UsersSnapshot().Single(u => received.Envelope.RcptTos[0] == u.ClientUserId + "@example.com");
            Assert.Contains(user.InviteCode!, mail.Part("text/plain").Lf);
            Assert.Contains(user.InviteCode!, mail.Part("text/html").Lf);
            Assert.Contains("Lincoln High", mail.Part("text/plain").Lf);
        }
        Assert.Empty(host.PickupFiles());
    }

    [Fact]
    public async Task ASingleInvitationGoesOutThroughSendGrid()
    {
        await using var sendGrid = await SendGridCapture.StartAsync();
        await using var host = CampaignTestHost.Start(azurite, emulator, settings: new()
        {
            ["Mail:Provider"] = "SendGrid", ["Mail:SendGrid:BaseUrl"] = sendGrid.BaseUrl.AbsoluteUri, ["Mail:SendGrid:ApiKey"] = SendGridCapture.ApiKey,
        });
        var location = await host.InstallLocationAsync("Lincoln High");
        await host.AddUserAsync("sg", "sg@example.com");
        await CampaignTestHost.OkAsync(await host.SetUserEnabledAsync("sg", true));

        var invited = await CampaignTestHost.OkAsync(await host.Admin.PostAsJsonAsync("/api/users/sg/invitations", new { channel = "email" }, Cancel));

        Assert.Equal("sg@example.com", invited.GetProperty("sentTo").GetString());
        var request = Assert.Single(sendGrid.Requests);
        Assert.Equal("Bearer " + SendGridCapture.ApiKey, request.Authorization);
        Assert.Equal("sg@example.com", request.Body.GetProperty("personalizations")[0].GetProperty("to")[0].GetProperty("email").GetString());
        var code = Assert.Single(location.UsersSnapshot()).InviteCode!;
        Assert.Equal(["text/plain", "text/html"], request.Body.GetProperty("content").EnumerateArray().Select(c => c.GetProperty("type").GetString()));
        Assert.All(request.Body.GetProperty("content").EnumerateArray(), c => Assert.Contains(code, c.GetProperty("value").GetString()));
        Assert.Equal("invited", await host.StatusOfAsync("sg"));
    }
}
