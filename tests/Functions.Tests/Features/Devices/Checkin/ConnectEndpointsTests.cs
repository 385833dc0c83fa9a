using System.Net;
using System.Text.Json;
using ManagedDistribution.Features.Devices;
using ManagedDistribution.Features.Devices.Commands;
using ManagedDistribution.Features.Devices.Protocol.Commands;
using ManagedDistribution.Tests.Features.Devices.Support;
using ManagedDistribution.Tests.Infrastructure;
using ManagedDistribution.Tests.Platform.Http;
using static ManagedDistribution.Tests.Features.Devices.Protocol.MdmTestData;
using static ManagedDistribution.Tests.Features.Devices.Support.DevicesTestHost;

namespace ManagedDistribution.Tests.Features.Devices.Checkin;

public sealed class ConnectEndpointsTests(AzuriteFixture azurite)
{
    static CancellationToken Token => TestContext.Current.CancellationToken;

    static readonly (string, object) AppList = ("ManagedApplicationList", Dict(
        ("com.example.notes", Dict(("Status", "Managed"), ("ManagementFlags", 1L), ("HasConfiguration", false))),
        ("com.example.maps", Dict(("Status", "Installing")))));

    static readonly (string, object) BookList = ("Books", new List<object>
    {
        Dict(("iTunesStoreID", 1234567L), ("State", "Installed"), ("Title", "Field Guide"), ("Author", "A. Writer")),
        Dict(("PersistentID", "com.example.handbook"), ("State", "Managed"), ("Kind", "pdf")),
    });

    [Fact]
    public async Task A_refresh_is_fetched_on_connect_acknowledged_and_shows_as_inventory()
    {
        await using var host = new DevicesTestHost(azurite);
        await host.EnrolIPadAsync();

        var refresh = await host.RefreshAsync(IPadUdid);
        var uuids = refresh.GetProperty("commandUuids").EnumerateArray().Select(u => u.GetString()!).ToArray();
        Assert.Equal(2, uuids.Length);
        var push = Assert.Single(host.Pushes.Calls);
        Assert.Equal([new ChannelId(IPadUdid)], push.Channels);
        Assert.Equal("task-1", refresh.GetProperty("taskId").GetString());

        var first = await host.IdleAsync(IPadUdid);
        Assert.NotNull(first);
        Assert.Equal(uuids[0], first.CommandUuid);
        Assert.Equal("ManagedApplicationList", first.RequestType);
        Assert.True(first.DecodePayload().Succeeded);

        var second = await host.ReportAsync(Status(IPadUdid, "Acknowledged", uuids[0], AppList));
        Assert.NotNull(second);
        Assert.Equal(uuids[1], second.CommandUuid);
        Assert.Equal("ManagedMediaList", second.RequestType);

        Assert.Null(await host.ReportAsync(Status(IPadUdid, "Acknowledged", uuids[1], BookList)));

        var inventory = await host.GetJsonAsync($"/api/devices/{IPadUdid}/apps");
        var apps = inventory.GetProperty("apps").EnumerateArray().ToDictionary(a => a.GetProperty("bundleId").GetString()!);
        Assert.Equal(["com.example.maps", "com.example.notes"], apps.Keys.Order());
        Assert.Equal("Managed", apps["com.example.notes"].GetProperty("status").GetString());
        Assert.Equal(1, apps["com.example.notes"].GetProperty("managementFlags").GetInt64());
        Assert.NotEqual(JsonValueKind.Null, apps["com.example.notes"].GetProperty("reportedAt").ValueKind);
        var books = inventory.GetProperty("books").EnumerateArray().ToDictionary(b => b.GetProperty("id").GetString()!);
        Assert.Equal("Field Guide", books["1234567"].GetProperty("title").GetString());
        Assert.Equal("Managed", books["com.example.handbook"].GetProperty("state").GetString());

        var commands = await CommandsAsync(host, IPadUdid);
        Assert.All(uuids, uuid => Assert.Equal("acknowledged", commands[uuid].GetProperty("status").GetString()));
        Assert.All(uuids, uuid => Assert.Equal(1, commands[uuid].GetProperty("attempts").GetInt32()));
        Assert.Equal("refresh", commands[uuids[0]].GetProperty("source").GetString());
    }

    [Fact]
    public async Task A_later_inventory_replaces_the_earlier_one_and_a_duplicate_report_changes_nothing()
    {
        await using var host = new DevicesTestHost(azurite);
        await host.EnrolMacAsync();
        var uuid = (await host.RefreshAsync(MacUdid)).GetProperty("commandUuids")[0].GetString()!;
        Assert.Equal("ManagedApplicationList", (await host.IdleAsync(MacUdid))!.RequestType);
        Assert.Null(await host.ReportAsync(Status(MacUdid, "Acknowledged", uuid, AppList)));
        var completedAt = (await CommandsAsync(host, MacUdid))[uuid].GetProperty("completedAt").GetString();

        // The same status again (a device retrying after a lost answer): idempotent.
        Assert.Null(await host.ReportAsync(Status(MacUdid, "Acknowledged", uuid, ("ManagedApplicationList", Dict()))));
        Assert.Equal(completedAt, (await CommandsAsync(host, MacUdid))[uuid].GetProperty("completedAt").GetString());
        Assert.Equal(2, (await host.GetJsonAsync($"/api/devices/{MacUdid}/apps")).GetProperty("apps").GetArrayLength());

        var next = (await host.RefreshAsync(MacUdid)).GetProperty("commandUuids")[0].GetString()!;
        Assert.Equal(next, (await host.IdleAsync(MacUdid))!.CommandUuid);
        Assert.Null(await host.ReportAsync(Status(MacUdid, "Acknowledged", next, ("ManagedApplicationList", Dict(("com.example.maps", Dict(("Status", "Managed"))))))));
        var app = Assert.Single((await host.GetJsonAsync($"/api/devices/{MacUdid}/apps")).GetProperty("apps").EnumerateArray());
        Assert.Equal("com.example.maps", app.GetProperty("bundleId").GetString());
        Assert.Equal("Managed", app.GetProperty("status").GetString());
    }

    [Fact]
    public async Task NotNow_keeps_the_command_for_a_later_session_and_not_the_same_one()
    {
        await using var host = new DevicesTestHost(azurite);
        await host.EnrolIPadAsync();
        var uuids = (await host.RefreshAsync(IPadUdid)).GetProperty("commandUuids").EnumerateArray().Select(u => u.GetString()!).ToArray();

        Assert.Equal(uuids[0], (await host.IdleAsync(IPadUdid))!.CommandUuid);
        // NotNow for the first: the session goes on with the other command, never the refused one.
        Assert.Equal(uuids[1], (await host.ReportAsync(Status(IPadUdid, "NotNow", uuids[0])))!.CommandUuid);
        Assert.Null(await host.ReportAsync(Status(IPadUdid, "Acknowledged", uuids[1], BookList)));
        var waiting = (await CommandsAsync(host, IPadUdid))[uuids[0]];
        Assert.Equal("notnow", waiting.GetProperty("status").GetString());
        Assert.True(await host.Service<IPushTargets>().HasWaitingCommandsAsync(new ChannelId(IPadUdid), Token));

        // Conditions changed; the device polls again with Idle: a new session, so the command comes back.
        var again = await host.IdleAsync(IPadUdid);
        Assert.Equal(uuids[0], again!.CommandUuid);
        Assert.Null(await host.ReportAsync(Status(IPadUdid, "Acknowledged", uuids[0], AppList)));

        var done = (await CommandsAsync(host, IPadUdid))[uuids[0]];
        Assert.Equal("acknowledged", done.GetProperty("status").GetString());
        Assert.Equal(2, done.GetProperty("attempts").GetInt32());
        Assert.False(await host.Service<IPushTargets>().HasWaitingCommandsAsync(new ChannelId(IPadUdid), Token));
        Assert.Null(await host.IdleAsync(IPadUdid));
    }

    [Fact]
    public async Task NotNow_as_the_only_command_ends_the_session_with_an_empty_body()
    {
        await using var host = new DevicesTestHost(azurite);
        await host.EnrolMacAsync();
        var uuid = (await host.RefreshAsync(MacUdid)).GetProperty("commandUuids")[0].GetString()!;

        Assert.Equal(uuid, (await host.IdleAsync(MacUdid))!.CommandUuid);
        Assert.Null(await host.ReportAsync(Status(MacUdid, "NotNow", uuid)));
        Assert.Null(await host.ReportAsync(Status(MacUdid, "NotNow", uuid)));
        Assert.Equal(uuid, (await host.IdleAsync(MacUdid))!.CommandUuid);
    }

    [Theory]
    [InlineData("Error")]
    [InlineData("CommandFormatError")]
    public async Task Error_statuses_finish_the_command_and_keep_the_ErrorChain(string status)
    {
        await using var host = new DevicesTestHost(azurite);
        await host.EnrolMacAsync();
        var uuid = (await host.RefreshAsync(MacUdid)).GetProperty("commandUuids")[0].GetString()!;
        await host.IdleAsync(MacUdid);

        var chain = ("ErrorChain", (object)new List<object>
        {
            Dict(("ErrorCode", 12021L), ("ErrorDomain", "MCMDMErrorDomain"), ("LocalizedDescription", "Commande non valide"), ("USEnglishDescription", "Invalid command")),
            Dict(("ErrorCode", 4L), ("ErrorDomain", "MCInstallationErrorDomain")),
        });
        Assert.Null(await host.ReportAsync(Status(MacUdid, status, uuid, chain)));

        var command = (await CommandsAsync(host, MacUdid))[uuid];
        Assert.Equal("error", command.GetProperty("status").GetString());
        Assert.Equal(status, command.GetProperty("reportedStatus").GetString());
        var errors = command.GetProperty("errorChain").EnumerateArray().ToArray();
        Assert.Equal(2, errors.Length);
        Assert.Equal(12021, errors[0].GetProperty("errorCode").GetInt64());
        Assert.Equal("MCMDMErrorDomain", errors[0].GetProperty("errorDomain").GetString());
        Assert.Equal("Invalid command", errors[0].GetProperty("usEnglishDescription").GetString());
        Assert.Empty((await host.GetJsonAsync($"/api/devices/{MacUdid}/apps")).GetProperty("apps").EnumerateArray());
        Assert.Null(await host.IdleAsync(MacUdid));
    }

    [Fact]
    public async Task A_status_for_another_devices_command_or_an_unknown_one_is_rejected_and_changes_nothing()
    {
        await using var host = new DevicesTestHost(azurite);
        await host.EnrolIPadAsync();
        await host.EnrolMacAsync();
        var macCommand = (await host.RefreshAsync(MacUdid)).GetProperty("commandUuids")[0].GetString()!;
        var before = await host.GetDeviceAsync(IPadUdid);

        await ProblemAssert.IsProblemAsync(await host.ConnectAsync(Status(IPadUdid, "Acknowledged", macCommand, AppList)),
            HttpStatusCode.BadRequest, "unknown-command");
        await ProblemAssert.IsProblemAsync(await host.ConnectAsync(Status(IPadUdid, "Error", Guid.NewGuid().ToString())),
            HttpStatusCode.BadRequest, "unknown-command");
        await ProblemAssert.IsProblemAsync(await host.ConnectAsync(Status(IPadUdid, "Acknowledged", "../../x#?")),
            HttpStatusCode.BadRequest, "unknown-command");

        Assert.Equal("queued", (await CommandsAsync(host, MacUdid))[macCommand].GetProperty("status").GetString());
        Assert.Empty((await host.GetJsonAsync($"/api/devices/{IPadUdid}/apps")).GetProperty("apps").EnumerateArray());
        Assert.Equal(before.GetProperty("lastCheckinAt").GetString(), (await host.GetDeviceAsync(IPadUdid)).GetProperty("lastCheckinAt").GetString());
        Assert.Equal(macCommand, (await host.IdleAsync(MacUdid))!.CommandUuid);
    }

    [Fact]
    public async Task Connect_from_an_unknown_or_half_enrolled_device_is_401()
    {
        await using var host = new DevicesTestHost(azurite);
        await ProblemAssert.IsProblemAsync(await host.ConnectAsync(Body(("Status", "Idle"), ("UDID", IPadUdid))), HttpStatusCode.Unauthorized, "unknown-device");

        await DevicesTestHost.AssertEmptyOkAsync(await host.CheckinAsync(Capture("Authenticate.1.plist")));
        await ProblemAssert.IsProblemAsync(await host.ConnectAsync(Body(("Status", "Idle"), ("UDID", IPadUdid))), HttpStatusCode.Unauthorized, "unknown-device");
    }

    [Fact]
    public async Task Every_connect_updates_the_check_in_time()
    {
        await using var host = new DevicesTestHost(azurite);
        await host.EnrolMacAsync();
        var enrolled = DateTimeOffset.Parse((await host.GetDeviceAsync(MacUdid)).GetProperty("lastCheckinAt").GetString()!);
        await Task.Delay(20, Token);

        Assert.Null(await host.IdleAsync(MacUdid));

        Assert.True(DateTimeOffset.Parse((await host.GetDeviceAsync(MacUdid)).GetProperty("lastCheckinAt").GetString()!) > enrolled);
    }

    [Fact]
    public async Task User_channel_commands_go_to_the_user_channel_only()
    {
        await using var host = new DevicesTestHost(azurite);
        const string userId = "A1B2C3D4-0000-1111-2222-333344445555";
        await host.EnrolMacAsync();
        await DevicesTestHost.AssertEmptyOkAsync(await host.CheckinAsync(With(CaptureDictionary("TokenUpdate.2.plist"), "UserID", userId)));
        var channel = new ChannelId(MacUdid, userId);
        var uuid = await host.Service<CommandQueue>().EnqueueAsync(channel, new ManagedApplicationListCommand(), "test", Token);

        Assert.Null(await host.IdleAsync(MacUdid));
        var fetched = await host.ReportAsync(Body(("Status", "Idle"), ("UDID", MacUdid), ("UserID", userId)));
        Assert.Equal(uuid, fetched!.CommandUuid);
        await ProblemAssert.IsProblemAsync(await host.ConnectAsync(Status(MacUdid, "Acknowledged", uuid, AppList)), HttpStatusCode.BadRequest, "unknown-command");
        Assert.Null(await host.ReportAsync(Body(("Status", "Acknowledged"), ("UDID", MacUdid), ("UserID", userId), ("CommandUUID", uuid), AppList)));

        var command = (await CommandsAsync(host, MacUdid))[uuid];
        Assert.Equal("acknowledged", command.GetProperty("status").GetString());
        Assert.Equal(channel.ToString(), command.GetProperty("channel").GetString());
        await ProblemAssert.IsProblemAsync(await host.ConnectAsync(Body(("Status", "Idle"), ("UDID", MacUdid), ("UserID", "someone-else"))),
            HttpStatusCode.Unauthorized, "unknown-device");
    }

    static async Task<Dictionary<string, JsonElement>> CommandsAsync(DevicesTestHost host, string deviceId) =>
        (await host.GetJsonAsync($"/api/devices/{deviceId}/commands")).GetProperty("items").EnumerateArray()
            .ToDictionary(c => c.GetProperty("commandUuid").GetString()!);
}
