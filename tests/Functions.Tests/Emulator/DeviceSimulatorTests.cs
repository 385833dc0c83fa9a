using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using ManagedDistribution.AppleEmulator.Devices;
using ManagedDistribution.Features.Devices.Identity;
using ManagedDistribution.Features.Devices.Protocol;
using ManagedDistribution.Features.Devices.Protocol.Commands;
using ManagedDistribution.Features.Devices.Push;
using ManagedDistribution.Tests.Features.Devices.Push;
using ManagedDistribution.Tests.Platform.Hosting;

namespace ManagedDistribution.Tests.Emulator;

/// <summary>
/// The device simulator against a minimal fake MDM server: its messages parse with the app's
/// protocol code, real pushes through the emulated APNs wake it, and it answers commands.
/// </summary>
public sealed class DeviceSimulatorTests(ApnsEmulatorFixture emulator) : IClassFixture<ApnsEmulatorFixture>, IAsyncLifetime
{
    FakeMdmServer server = null!;
    readonly List<DeviceSimulator> simulators = [];
    readonly ApnsClient apns = emulator.NewClient();

    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => server = await FakeMdmServer.StartAsync();

    [Fact]
    public async Task EnrolsWithAuthenticateAndTokenUpdateTheAppParses()
    {
        var simulator = Simulator();

        var devices = await simulator.EnrolAsync(3, cancellationToken: Cancel);

        Assert.All(devices, d => Assert.True(d.Enrolled, d.LastError));
        var authenticates = server.CheckinsOf<Authenticate>().ToArray();
        Assert.Equal(["MacBookPro18,1", "iPad13,1", "iPhone15,2"], authenticates.Select(a => a.ProductName).Order(StringComparer.Ordinal));
        Assert.All(authenticates, a => Assert.Equal(emulator.Topic, a.Topic));
        var mac = devices.Single(d => d.Model.IsMac);
        Assert.Equal("MacBook Pro", authenticates.Single(a => a.Identity.Udid == mac.Udid).ModelName);
        var tokenUpdates = server.CheckinsOf<TokenUpdate>().ToArray();
        Assert.Equal(4, tokenUpdates.Length); // three device channels and the Mac's user channel
        var user = tokenUpdates.Single(t => t.IsUserChannel);
        Assert.Equal(mac.UserChannel!.User!.UserId, user.Identity.UserId);
        Assert.Equal(mac.UserChannel.Token, user.Token);
        Assert.All(devices, d => Assert.Equal(d.DeviceChannel.PushMagic, tokenUpdates.Single(t => t.Identity.Udid == d.Udid && !t.IsUserChannel).PushMagic));
        Assert.Equal(3, simulator.Counters.Enrolled);
    }

    [Fact]
    public async Task PushWakesTheDeviceWhichAnswersEveryQueuedCommand()
    {
        var simulator = Simulator();
        var device = (await simulator.EnrolAsync(1, DeviceKind.IPad, cancellationToken: Cancel)).Single();
        server.Enqueue(device.Udid, new ManagedApplicationListCommand(), InstallApplicationCommand.ForStoreApp(361309999),
            new ManagedApplicationListCommand(), new ManagedMediaListCommand());

        await PushAsync(device.DeviceChannel);

        await Eventually.TrueAsync(() => server.Reports.Count == 4, "four reports");
        var reports = server.Reports.ToArray();
        Assert.All(reports, r => Assert.Equal(CommandStatus.Acknowledged, r.Status));
        var before = ManagedApplicationListResponse.Parse(reports[0]).Value!.Applications;
        var after = ManagedApplicationListResponse.Parse(reports[2]).Value!.Applications;
        Assert.Equal(["com.apple.Keynote", "com.apple.Pages"], before.Select(a => a.BundleId).Order(StringComparer.Ordinal));
        Assert.Contains(after, a => a.BundleId == "com.emulator.app361309999" && a.Status == "Managed");
        Assert.Equal("Queued", InstallApplicationResponse.Parse(reports[1]).Value!.State);
        Assert.NotEmpty(ManagedMediaListResponse.Parse(reports[3]).Value!.Books);
        await Eventually.TrueAsync(() => simulator.Counters.Acknowledged == 4, "counters");
        Assert.Equal(1, simulator.Counters.PushesReceived);
        Assert.Equal(2, simulator.Counters.Commands("Acknowledged", "ManagedApplicationList"));
    }

    [Fact]
    public async Task NotNowLeadsToAnotherConnectionAfterTheDelay()
    {
        var simulator = Simulator(o => o.NotNowRetryDelay = TimeSpan.FromMilliseconds(100));
        var device = (await simulator.EnrolAsync(1, DeviceKind.IPhone, cancellationToken: Cancel)).Single();
        simulator.Outcomes.Script(device.Udid, "ManagedApplicationList", CommandOutcome.NotNow);
        server.Enqueue(device.Udid, new ManagedApplicationListCommand());

        await PushAsync(device.DeviceChannel);

        await Eventually.TrueAsync(() => server.Reports.Count == 2, "NotNow, then Acknowledged");
        var reports = server.Reports.ToArray();
        Assert.Equal([CommandStatus.NotNow, CommandStatus.Acknowledged], reports.Select(r => r.Status));
        Assert.Equal(reports[0].CommandUuid, reports[1].CommandUuid);
        Assert.Equal(1, simulator.Counters.PushesReceived);
        Assert.True(device.DeviceChannel.Sessions >= 2);
    }

    [Fact]
    public async Task ErrorRatesPerRequestTypeAnswerErrorWithAnErrorChain()
    {
        var simulator = Simulator(o => o.RatesByRequestType["InstallApplication"] = new OutcomeRates { Error = 1 });
        var device = (await simulator.EnrolAsync(1, DeviceKind.IPad, cancellationToken: Cancel)).Single();
        server.Enqueue(device.Udid, InstallApplicationCommand.ForStoreApp(1), new ManagedApplicationListCommand());

        await PushAsync(device.DeviceChannel);

        await Eventually.TrueAsync(() => server.Reports.Count == 2, "two reports");
        var reports = server.Reports.ToArray();
        Assert.Equal(CommandStatus.Error, reports[0].Status);
        Assert.Equal("MCMDMErrorDomain", Assert.Single(reports[0].ErrorChain).ErrorDomain);
        Assert.Equal(CommandStatus.Acknowledged, reports[1].Status);
        Assert.DoesNotContain(ManagedApplicationListResponse.Parse(reports[1]).Value!.Applications, a => a.BundleId == "com.emulator.app1");
    }

    [Fact]
    public async Task MacUserChannelGetsItsOwnPushesAndInvitationsAreRecorded()
    {
        var simulator = Simulator();
        var mac = (await simulator.EnrolAsync(1, DeviceKind.Mac, cancellationToken: Cancel)).Single();
        var userChannel = mac.UserChannel!;
        server.Enqueue(userChannel.Id, new InviteToProgramCommand { InvitationUrl = "https://vpp.example/invite/abc" });
        server.Enqueue(mac.Udid, new ManagedMediaListCommand());

        await PushAsync(userChannel);
        await PushAsync(mac.DeviceChannel);

        await Eventually.TrueAsync(() => server.Reports.Count == 2, "two reports");
        var invitation = server.Reports.Single(r => r.Identity.IsUserChannel);
        Assert.Equal("Acknowledged", InviteToProgramResponse.Parse(invitation).Value!.InvitationResult);
        Assert.Equal(userChannel.User!.ShortName, invitation.Identity.UserShortName);
        Assert.Equal("https://vpp.example/invite/abc", Assert.Single(mac.Invitations).InvitationUrl);
        // Books are iOS only: a Mac's device channel refuses ManagedMediaList.
        Assert.Equal(CommandStatus.Error, server.Reports.Single(r => !r.Identity.IsUserChannel).Status);
    }

    [Fact]
    public async Task PushesWithAnotherPushMagicAreIgnored()
    {
        var simulator = Simulator();
        var device = (await simulator.EnrolAsync(1, DeviceKind.IPad, cancellationToken: Cancel)).Single();

        var result = await apns.SendAsync(new PushTarget(device.DeviceChannel.TokenHex, emulator.Topic, "not-the-magic"), Cancel);

        Assert.IsType<PushResult.Delivered>(result);
        await Eventually.TrueAsync(() => simulator.Counters.PushesIgnored == 1, "ignored push");
        Assert.Equal(0, device.DeviceChannel.Sessions);
    }

    [Fact]
    public async Task SignedMessagesCarryAVerifiableSignatureFromTheDeviceIdentity()
    {
        var simulator = Simulator(o => o.SignMessages = true);
        var device = (await simulator.EnrolAsync(1, DeviceKind.IPhone, cancellationToken: Cancel)).Single();
        server.Enqueue(device.Udid, new ManagedApplicationListCommand());
        await PushAsync(device.DeviceChannel);
        await Eventually.TrueAsync(() => server.Reports.Count == 1, "one report");

        var thumbprint = device.Identity!.GetCertHashString(HashAlgorithmName.SHA256);
        Assert.All(server.Checkins, c => Assert.Equal(thumbprint, c.SignerThumbprint));
        Assert.All(server.Signatures, s => Assert.True(s.IsValid, s.Detail));
        var roots = new X509Certificate2Collection(emulator.Certificates.Pki.LocalCa);
        var body = MdmMessages.CheckOut(device);
        Assert.True(MdmSignature.Verify(MdmMessages.Sign(body, device.Identity), body, roots, DateTimeOffset.UtcNow).IsValid);
    }

    [Fact]
    public async Task UnreadableCommandsAreAnsweredWithCommandFormatErrorOrEndTheSession()
    {
        var simulator = Simulator();
        var device = (await simulator.EnrolAsync(1, DeviceKind.IPad, cancellationToken: Cancel)).Single();
        server.NextRawCommand = Encoding.UTF8.GetBytes("""
            <?xml version="1.0" encoding="UTF-8"?><plist version="1.0"><dict><key>CommandUUID</key><string>BROKEN-1</string>
            <key>Command</key><dict><key>RequestType</key><string>InstallApplication</string></dict></dict></plist>
            """);

        await simulator.ConnectAsync(device.DeviceChannel);

        var report = Assert.Single(server.Reports);
        Assert.Equal((CommandStatus.CommandFormatError, "BROKEN-1"), (report.Status, report.CommandUuid));
        server.NextRawCommand = "not a plist"u8.ToArray();
        await simulator.ConnectAsync(device.DeviceChannel);
        Assert.Equal(1, simulator.Counters.UnreadableCommands);
    }

    [Fact]
    public async Task AReportTheServerRefusedIsSentAgainOnTheNextConnection()
    {
        var simulator = Simulator();
        var device = (await simulator.EnrolAsync(1, DeviceKind.IPad, cancellationToken: Cancel)).Single();
        server.Enqueue(device.Udid, new ManagedApplicationListCommand());
        await simulator.ConnectAsync(device.DeviceChannel); // gets the command, its report is accepted
        server.Enqueue(device.Udid, new ManagedMediaListCommand());

        server.ConnectFailure = System.Net.HttpStatusCode.ServiceUnavailable;
        await simulator.ConnectAsync(device.DeviceChannel);
        server.ConnectFailure = null;
        Assert.Single(server.Reports);
        Assert.StartsWith("connect: 503", device.LastError);
        await simulator.ConnectAsync(device.DeviceChannel);

        Assert.Equal(["ManagedApplicationList", "ManagedMediaList"],
            device.DeviceChannel.History.Select(h => h.RequestType));
    }

    [Fact]
    public async Task HundredsOfDevicesAnswerTheirPushesWithBoundedConnections()
    {
        var simulator = Simulator(o => o.MaxConcurrentConnections = 16);
        var devices = await simulator.EnrolAsync(300, DeviceKind.IPhone, cancellationToken: Cancel);
        foreach (var device in devices) server.Enqueue(device.Udid, new ManagedApplicationListCommand());

        var results = await apns.SendManyAsync(devices.Select(d => Target(d.DeviceChannel)).ToArray(), 64, Cancel);

        Assert.All(results, r => Assert.IsType<PushResult.Delivered>(r));
        await Eventually.TrueAsync(() => simulator.Counters.Acknowledged == 300, "300 acknowledgements");
        Assert.Equal(300, server.Reports.Select(r => r.Identity.Udid).Distinct().Count());
    }

    DeviceSimulator Simulator(Action<DeviceSimulatorOptions>? configure = null)
    {
        var options = new DeviceSimulatorOptions { ServerUrl = server.BaseUrl };
        configure?.Invoke(options);
        var simulator = new DeviceSimulator(options, emulator.Host.Apns.Registry, emulator.Certificates.Pki);
        simulators.Add(simulator);
        return simulator;
    }

    PushTarget Target(SimulatedChannel channel) => new(channel.TokenHex, emulator.Topic, channel.PushMagic);

    async Task PushAsync(SimulatedChannel channel) =>
        Assert.IsType<PushResult.Delivered>(await apns.SendAsync(Target(channel), Cancel));

    public async ValueTask DisposeAsync()
    {
        foreach (var simulator in simulators) await simulator.DisposeAsync();
        await server.DisposeAsync();
        apns.Dispose();
    }
}
