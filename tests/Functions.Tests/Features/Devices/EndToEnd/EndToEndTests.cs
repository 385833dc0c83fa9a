using System.Text;
using ManagedDistribution.AppleEmulator.Devices;
using ManagedDistribution.Tests.Features.Devices.Push;
using ManagedDistribution.Tests.Infrastructure;
using ManagedDistribution.Tests.Platform.Hosting;

namespace ManagedDistribution.Tests.Features.Devices.EndToEnd;

/// <summary>
/// Issue 3 end to end: simulated devices enrol through /mdm/checkin; an admin refresh queues
/// commands, the push workflow pushes through the real APNs client to the emulated APNs, the
/// woken device fetches and acknowledges the commands on /mdm/connect, and the inventory shows.
/// </summary>
public sealed class EndToEndTests(AzuriteFixture azurite, ApnsEmulatorFixture emulator) : IClassFixture<ApnsEmulatorFixture>
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SimulatedDevicesEnrolAndShowInTheRegistry()
    {
        await using var host = new EndToEndHost(azurite, emulator);

        var devices = await host.Simulator.EnrolAsync(3, cancellationToken: Cancel);

        Assert.All(devices, d => Assert.True(d.Enrolled, d.LastError));
        foreach (var device in devices)
        {
            var shown = await host.DeviceAsync(device);
            Assert.Equal("enrolled", shown.GetProperty("enrollmentState").GetString());
            Assert.Equal(device.SerialNumber, shown.GetProperty("serialNumber").GetString());
            Assert.Equal(device.Model.Kind switch { DeviceKind.IPad => "iPadOS", DeviceKind.IPhone => "iOS", _ => "macOS" },
                shown.GetProperty("platform").GetString());
            Assert.True(shown.GetProperty("reachable").GetBoolean());
        }
        var mac = await host.DeviceAsync(devices.Single(d => d.Model.IsMac));
        Assert.Equal(devices.Single(d => d.Model.IsMac).UserChannel!.User!.ShortName,
            Assert.Single(mac.GetProperty("userChannels").EnumerateArray()).GetProperty("shortName").GetString());
    }

    [Fact]
    public async Task RefreshPushesTheDeviceWhichAcknowledgesAndTheInventoryShows()
    {
        await using var host = new EndToEndHost(azurite, emulator);
        var device = await host.EnrolAsync(DeviceKind.IPad);

        var (uuids, _) = await host.RefreshAsync(device);

        Assert.Equal(2, uuids.Length); // ManagedApplicationList and, on iPadOS, ManagedMediaList
        await Eventually.TrueAsync(async () => (await host.CommandsAsync(device)).All(c => c.GetProperty("status").GetString() == "acknowledged"),
            "both commands acknowledged");
        Assert.Equal(["com.apple.Keynote", "com.apple.Pages"], await host.AppBundleIdsAsync(device));
        var books = (await host.GetAsync($"/api/devices/{device.Udid}/apps")).GetProperty("books");
        Assert.Equal("Everyone Can Code", Assert.Single(books.EnumerateArray()).GetProperty("title").GetString());
        Assert.Equal(1, device.DeviceChannel.PushesReceived);
        Assert.NotEmpty(emulator.Host.Apns.Registry.DeliveredTo(device.DeviceChannel.TokenHex));
    }

    [Fact]
    public async Task NotNowKeepsTheCommandUntilTheDeviceComesBack()
    {
        await using var host = new EndToEndHost(azurite, emulator);
        var device = await host.EnrolAsync(DeviceKind.Mac);
        host.Simulator.Outcomes.Script(device.Udid, "ManagedApplicationList", CommandOutcome.NotNow);

        var (uuids, _) = await host.RefreshAsync(device);

        var uuid = Assert.Single(uuids);
        await Eventually.TrueAsync(async () => (await host.CommandsAsync(device)).Single(c => c.GetProperty("commandUuid").GetString() == uuid)
            .GetProperty("status").GetString() == "acknowledged", "the command acknowledged after NotNow");
        // The server records the status before the simulator, which logs its answer once the reply arrives.
        await Eventually.TrueAsync(() => device.DeviceChannel.History.Count(h => h.CommandUuid == uuid) == 2, "the simulator logged both answers");
        Assert.Equal(["NotNow", "Acknowledged"], device.DeviceChannel.History.Where(h => h.CommandUuid == uuid).Select(h => h.Status));
        Assert.Contains("com.apple.iWork.Pages", await host.AppBundleIdsAsync(device));
    }

    [Fact]
    public async Task ErrorsAreRecordedWithTheirErrorChain()
    {
        await using var host = new EndToEndHost(azurite, emulator, configureSimulator: o => o.RatesByRequestType["ManagedMediaList"] = new OutcomeRates { Error = 1 });
        var device = await host.EnrolAsync(DeviceKind.IPhone);

        await host.RefreshAsync(device);

        await Eventually.TrueAsync(async () => (await host.CommandsAsync(device)).All(c => c.GetProperty("status").GetString() is "acknowledged" or "error"),
            "both commands finished");
        var failed = (await host.CommandsAsync(device)).Single(c => c.GetProperty("requestType").GetString() == "ManagedMediaList");
        Assert.Equal("error", failed.GetProperty("status").GetString());
        Assert.Equal("MCMDMErrorDomain", Assert.Single(failed.GetProperty("errorChain").EnumerateArray()).GetProperty("errorDomain").GetString());
    }

    [Fact]
    public async Task UnregisteredTokenBecomesUnusableAndIsNotPushedAgainUntilATokenUpdate()
    {
        await using var host = new EndToEndHost(azurite, emulator);
        var device = await host.EnrolAsync(DeviceKind.IPhone);
        var registry = emulator.Host.Apns.Registry;
        var oldToken = device.DeviceChannel.TokenHex;
        registry.MarkUnregistered(oldToken);

        var (_, taskId) = await host.RefreshAsync(device);

        await Eventually.TrueAsync(async () => !(await host.DeviceAsync(device)).GetProperty("reachable").GetBoolean(), "token marked unusable");
        await host.Admin.WaitForFinishAsync(taskId);
        using (var again = await host.Admin.PostAsync($"/api/devices/{device.Udid}/refresh", null, Cancel)) { }
        await Task.Delay(500, Cancel);
        Assert.Empty(registry.DeliveredTo(oldToken));
        Assert.Equal(0, device.DeviceChannel.PushesReceived);

        Assert.True(await host.Simulator.UpdateTokenAsync(device.DeviceChannel, Cancel));
        Assert.True((await host.DeviceAsync(device)).GetProperty("reachable").GetBoolean());
        await host.RefreshAsync(device);
        await Eventually.TrueAsync(async () => (await host.CommandsAsync(device)).Any(c => c.GetProperty("status").GetString() == "acknowledged"),
            "a command acknowledged after the new token");
        Assert.Empty(registry.DeliveredTo(oldToken));
    }

    [Fact]
    public async Task BadPlistsAnswer400AndChangeNothing()
    {
        await using var host = new EndToEndHost(azurite, emulator);
        var device = await host.EnrolAsync(DeviceKind.IPad);
        var before = await host.DeviceAsync(device);

        string[] bodies =
        [
            "not a plist",
            "<?xml version=\"1.0\"?><plist version=\"1.0\"><dict><key>MessageType</key><string>Authenticate</string>",
            Plist("<key>MessageType</key><string>Reboot</string><key>UDID</key><string>" + device.Udid + "</string>"),
            Plist("<key>MessageType</key><string>TokenUpdate</string><key>UDID</key><string>" + device.Udid + "</string>"),
            Plist("<key>MessageType</key><string>Authenticate</string><key>UDID</key><string>" + device.Udid + "</string>"
                + "<key>Topic</key><string>" + new string('x', 2_000_000) + "</string>"),
        ];
        foreach (var body in bodies)
        {
            var reply = await host.Simulator.SendAsync(device, MdmEndpoint.Checkin, Encoding.UTF8.GetBytes(body), Cancel);
            Assert.True(reply.Status == 400, $"{body[..Math.Min(80, body.Length)]} → {reply.Describe()}");
        }
        var connect = await host.Simulator.SendAsync(device, MdmEndpoint.Connect, Encoding.UTF8.GetBytes(Plist("<key>UDID</key><string>" + device.Udid + "</string><key>Status</key><string>Sleeping</string>")), Cancel);
        Assert.Equal(400, connect.Status);

        var after = await host.DeviceAsync(device);
        foreach (var property in new[] { "enrollmentState", "serialNumber", "osVersion", "reachable", "lastCheckinAt" })
            Assert.Equal(before.GetProperty(property).ToString(), after.GetProperty(property).ToString());
    }

    static string Plist(string dict) => $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><plist version=\"1.0\"><dict>{dict}</dict></plist>";
}
