using ManagedDistribution.AppleEmulator.Certificates;
using ManagedDistribution.AppleEmulator.Devices;
using ManagedDistribution.Tests.Features.Devices.Push;
using ManagedDistribution.Tests.Infrastructure;
using ManagedDistribution.Tests.Platform.Hosting;

namespace ManagedDistribution.Tests.Features.Devices.EndToEnd;

/// <summary>
/// Device identity end to end: simulated devices sign every message with their own identity
/// certificate (issued by the emulator's CA, which the app trusts); the app binds the device to
/// the certificate seen at enrolment and refuses messages signed by another one.
/// </summary>
public sealed class SignatureBindingTests(AzuriteFixture azurite, ApnsEmulatorFixture emulator) : IClassFixture<ApnsEmulatorFixture>
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    EndToEndHost NewHost() => new(azurite, emulator, new()
    {
        ["Mdm:RequireSignature"] = "true",
        ["Mdm:IdentityCaPath"] = emulator.Certificates.LocalCaPemPath,
    }, o => o.SignMessages = true);

    [Fact]
    public async Task SignedDevicesEnrolAndTheirCommandsFlow()
    {
        await using var host = NewHost();
        var device = await host.EnrolAsync(DeviceKind.IPad);

        Assert.True((await host.DeviceAsync(device)).GetProperty("identityBound").GetBoolean());
        await host.RefreshAsync(device);
        await Eventually.TrueAsync(async () => (await host.CommandsAsync(device)).All(c => c.GetProperty("status").GetString() == "acknowledged"),
            "signed reports accepted");
    }

    [Fact]
    public async Task AnotherCertificateOrNoSignatureIsRefused()
    {
        await using var host = NewHost();
        var device = await host.EnrolAsync(DeviceKind.IPhone);
        var genuine = device.Identity!;

        device.Identity = emulator.Certificates.Pki.IssueDeviceIdentity(device.Udid); // same CA, another key
        Assert.False(await host.Simulator.UpdateTokenAsync(device.DeviceChannel, Cancel));
        Assert.StartsWith("TokenUpdate: 403", device.LastError);
        var connect = await host.Simulator.SendAsync(device, MdmEndpoint.Connect, MdmMessages.Idle(device.DeviceChannel), Cancel);
        Assert.Equal(403, connect.Status);

        device.Identity = null;
        Assert.Equal(401, (await host.Simulator.SendAsync(device, MdmEndpoint.Checkin, MdmMessages.Authenticate(device), Cancel)).Status);

        device.Identity = TestPki.Create().IssueDeviceIdentity(device.Udid); // a CA the app does not trust
        Assert.Equal(403, (await host.Simulator.SendAsync(device, MdmEndpoint.Connect, MdmMessages.Idle(device.DeviceChannel), Cancel)).Status);

        device.Identity = genuine;
        Assert.Equal(200, (await host.Simulator.SendAsync(device, MdmEndpoint.Connect, MdmMessages.Idle(device.DeviceChannel), Cancel)).Status);
    }
}
