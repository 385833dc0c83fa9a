using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ManagedDistribution.Tests.Features.Devices.Support;
using ManagedDistribution.Tests.Infrastructure;
using ManagedDistribution.Tests.Platform.Http;

namespace ManagedDistribution.Tests.Features.Invitations;

/// <summary>Managed distribution per user and single-user invitations, against Azurite, the emulator and a pickup folder.</summary>
public sealed class ManagedDistributionTests(AzuriteFixture azurite)
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EnablingRegistersAtAppleAndAnEmailInvitationCarriesTheLink()
    {
        await using var host = await InvitationsTestHost.StartAsync(azurite);
        var location = await host.InstallLocationAsync("Lincoln High");
        host.AddUser("ana", "ana@example.com", language: "nl");

        var enabled = await InvitationsTestHost.OkJsonAsync(await host.SetEnabledAsync("ana", true));
        Assert.True(enabled.GetProperty("enabled").GetBoolean());
        Assert.Equal("notInvited", enabled.GetProperty("status").GetString());
        var atApple = Assert.Single(location.UsersSnapshot(), u => u.ClientUserId == "ana");
        Assert.Equal(("Registered", "ana@example.com"), (atApple.Status, atApple.Email));

        // The directory's user resource carries the same state.
        var created = await host.Admin.PostAsJsonAsync("/api/users", new { id = "ana", shortName = "ana", fullName = "User ana", email = "ana@example.com" }, Cancel);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var user = await InvitationsTestHost.OkJsonAsync(await host.Admin.GetAsync("/api/users/ana", Cancel));
        Assert.Equal("notInvited", user.GetProperty("managedDistribution").GetProperty("status").GetString());

        var invited = await InvitationsTestHost.OkJsonAsync(await host.InviteAsync("ana", "email"));
        Assert.Equal("ana@example.com", invited.GetProperty("sentTo").GetString());
        Assert.Equal("invited", invited.GetProperty("managedDistribution").GetProperty("status").GetString());
        var state = await InvitationsTestHost.OkJsonAsync(await host.Admin.GetAsync("/api/users/ana/managed-distribution", Cancel));
        Assert.Equal("invited", state.GetProperty("status").GetString());
        Assert.NotEqual(JsonValueKind.Null, state.GetProperty("invitedAt").ValueKind);

        var mail = Unfold(await File.ReadAllTextAsync(Assert.Single(System.IO.Directory.GetFiles(host.PickupDirectory, "*.eml")), Cancel));
        Assert.Contains("ana@example.com", mail);
        Assert.Contains(atApple.InviteCode!, mail);
        Assert.Contains("Lincoln High", mail);
    }

    [Fact]
    public async Task ADeviceInvitationQueuesInviteToProgramOnTheUsersIPad()
    {
        await using var host = await InvitationsTestHost.StartAsync(azurite);
        var location = await host.InstallLocationAsync();
        host.AddUser("ben", "ben@example.com");
        await InvitationsTestHost.OkJsonAsync(await host.SetEnabledAsync("ben", true));
        await host.Devices.EnrolIPadAsync();
        var associated = await host.Admin.PutAsJsonAsync($"/api/devices/{DevicesTestHost.IPadUdid}/user", new { userId = "ben" }, Cancel);
        Assert.Equal(HttpStatusCode.OK, associated.StatusCode);

        var invited = await InvitationsTestHost.OkJsonAsync(await host.InviteAsync("ben", "device"));
        var queued = Assert.Single(invited.GetProperty("commands").EnumerateArray());
        Assert.Equal(DevicesTestHost.IPadUdid, queued.GetProperty("channel").GetString());

        var command = await host.Devices.IdleAsync(DevicesTestHost.IPadUdid);
        Assert.NotNull(command);
        Assert.Equal("InviteToProgram", command.RequestType);
        Assert.True(command.Command.TryGet<string>("ProgramID", out var program));
        Assert.Equal("com.apple.cloudvpp", program);
        Assert.True(command.Command.TryGet<string>("InvitationURL", out var url));
        Assert.Contains(Assert.Single(location.UsersSnapshot()).InviteCode!, url);
    }

    [Fact]
    public async Task EveryMissingPrerequisiteIsNamed()
    {
        await using var host = await InvitationsTestHost.StartAsync(azurite);
        host.AddUser("cy", "cy@example.com");

        await ProblemAssert.IsProblemAsync(await host.SetEnabledAsync("cy", true), HttpStatusCode.Conflict, "token-missing");
        await ProblemAssert.IsProblemAsync(await host.SetEnabledAsync("nobody", true), HttpStatusCode.NotFound, "not-found");
        var none = await ProblemAssert.IsProblemAsync(await host.InviteAsync("cy", "device"), HttpStatusCode.Conflict, "prerequisites-missing");
        Assert.Equal(["token-installed", "managed-distribution-enabled", "device-assigned-to-user"], Missing(none));
        var unknown = await ProblemAssert.IsProblemAsync(await host.InviteAsync("nobody", "email"), HttpStatusCode.Conflict, "prerequisites-missing");
        Assert.Contains("user-exists", Missing(unknown));

        await host.InstallLocationAsync();
        await InvitationsTestHost.OkJsonAsync(await host.SetEnabledAsync("cy", true));
        await host.Devices.EnrolIPadAsync();
        var notAssigned = await ProblemAssert.IsProblemAsync(
            await host.InviteAsync("cy", "device", DevicesTestHost.IPadUdid), HttpStatusCode.Conflict, "prerequisites-missing");
        Assert.Equal(["device-assigned-to-user"], Missing(notAssigned));
        var unknownDevice = await ProblemAssert.IsProblemAsync(
            await host.InviteAsync("cy", "device", "no-such-device"), HttpStatusCode.Conflict, "prerequisites-missing");
        Assert.Equal(["device-enrolled", "device-assigned-to-user"], Missing(unknownDevice));
        host.AddUser("dee");
        await InvitationsTestHost.OkJsonAsync(await host.SetEnabledAsync("dee", true));
        var noEmail = await ProblemAssert.IsProblemAsync(await host.InviteAsync("dee", "email"), HttpStatusCode.Conflict, "prerequisites-missing");
        Assert.Equal(["user-has-email"], Missing(noEmail));
    }

    [Fact]
    public async Task AManagedAppleAccountEnrolsAtOnceAndDisablingRetires()
    {
        await using var host = await InvitationsTestHost.StartAsync(azurite);
        var location = await host.InstallLocationAsync();
        host.AddUser("eve", "eve@example.com", managedAppleId: "eve@appleid.lincoln.example");

        var enabled = await InvitationsTestHost.OkJsonAsync(await host.SetEnabledAsync("eve", true));
        Assert.Equal("enrolled", enabled.GetProperty("status").GetString());
        Assert.NotEqual(JsonValueKind.Null, enabled.GetProperty("enrolledAt").ValueKind);
        await ProblemAssert.IsProblemAsync(await host.InviteAsync("eve", "email"), HttpStatusCode.Conflict, "already-enrolled");

        var disabled = await InvitationsTestHost.OkJsonAsync(await host.SetEnabledAsync("eve", false));
        Assert.Equal("retired", disabled.GetProperty("status").GetString());
        Assert.False(disabled.GetProperty("enabled").GetBoolean());
        Assert.Equal("Retired", Assert.Single(location.UsersSnapshot()).Status);

        // Enabling again registers the user afresh.
        var again = await InvitationsTestHost.OkJsonAsync(await host.SetEnabledAsync("eve", true));
        Assert.Equal("enrolled", again.GetProperty("status").GetString());
    }

    static List<string> Missing(JsonElement problem) =>
        [.. problem.GetProperty("missing").EnumerateArray().Select(e => e.GetString()!)];

    /// <summary>Undoes quoted-printable soft breaks and '=' escapes so a link can be searched for.</summary>
    static string Unfold(string mail) => mail.Replace("=\r\n", "", StringComparison.Ordinal).Replace("=3D", "=", StringComparison.Ordinal);
}
