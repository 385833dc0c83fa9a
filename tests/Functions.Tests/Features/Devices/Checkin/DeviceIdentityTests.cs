using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using ManagedDistribution.Features.Devices.Registry;
using ManagedDistribution.Tests.Features.Devices.Support;
using ManagedDistribution.Tests.Infrastructure;
using ManagedDistribution.Tests.Platform.Http;
using static ManagedDistribution.Tests.Features.Devices.Protocol.MdmTestData;
using static ManagedDistribution.Tests.Features.Devices.Support.DevicesTestHost;

namespace ManagedDistribution.Tests.Features.Devices.Checkin;

/// <summary>Mdm-Signature: a device is bound to the identity certificate it enrolled with.</summary>
public sealed class DeviceIdentityTests : IDisposable
{
    static CancellationToken Token => TestContext.Current.CancellationToken;

    readonly AzuriteFixture azurite;
    readonly X509Certificate2 ca = DeviceCertificates.CreateCa("CN=Test Enrollment CA");
    readonly X509Certificate2 rogueCa = DeviceCertificates.CreateCa("CN=Rogue CA");
    readonly X509Certificate2 certA;
    readonly X509Certificate2 certB;

    public DeviceIdentityTests(AzuriteFixture azurite)
    {
        this.azurite = azurite;
        certA = DeviceCertificates.Issue(ca, "CN=device A");
        certB = DeviceCertificates.Issue(ca, "CN=device B");
    }

    public void Dispose()
    {
        ca.Dispose();
        rogueCa.Dispose();
        certA.Dispose();
        certB.Dispose();
    }

    [Fact]
    public async Task A_device_enrolled_with_certificate_A_refuses_messages_signed_by_B_or_unsigned()
    {
        await using var host = new DevicesTestHost(azurite);
        await host.EnrolIPadAsync(certA);
        var device = await host.GetDeviceAsync(IPadUdid);
        Assert.True(device.GetProperty("identityBound").GetBoolean());
        Assert.Equal(DeviceCertificates.Thumbprint(certA), (await host.Service<DeviceStore>().GetAsync(IPadUdid, Token))!.IdentityThumbprint);
        var uuid = (await host.RefreshAsync(IPadUdid)).GetProperty("commandUuids")[0].GetString()!;

        var idle = Body(("Status", "Idle"), ("UDID", IPadUdid));
        await ProblemAssert.IsProblemAsync(await host.ConnectAsync(idle, certB), HttpStatusCode.Forbidden, "device-identity-refused");
        await ProblemAssert.IsProblemAsync(await host.ConnectAsync(idle), HttpStatusCode.Forbidden, "device-identity-refused");
        var hijack = With(CaptureDictionary("TokenUpdate.1.plist"), "PushMagic", "attacker-magic");
        await ProblemAssert.IsProblemAsync(await host.CheckinAsync(hijack, certB), HttpStatusCode.Forbidden, "device-identity-refused");
        await ProblemAssert.IsProblemAsync(await host.CheckinAsync(Capture("Authenticate.1.plist"), certB), HttpStatusCode.Forbidden, "device-identity-refused");
        await ProblemAssert.IsProblemAsync(await host.CheckinAsync(Body(("MessageType", "CheckOut"), ("Topic", Topic), ("UDID", IPadUdid)), certB),
            HttpStatusCode.Forbidden, "device-identity-refused");

        var stored = (await host.Service<DeviceStore>().GetAsync(IPadUdid, Token))!;
        Assert.Equal((string)CaptureDictionary("TokenUpdate.1.plist")["PushMagic"], stored.PushMagic);
        Assert.Equal(EnrollmentStates.Enrolled, stored.EnrollmentState);
        Assert.Equal("queued", (await host.GetJsonAsync($"/api/devices/{IPadUdid}/commands")).GetProperty("items").EnumerateArray()
            .Single(c => c.GetProperty("commandUuid").GetString() == uuid).GetProperty("status").GetString());

        Assert.Equal(uuid, (await host.IdleAsync(IPadUdid, certA))!.CommandUuid);
    }

    [Fact]
    public async Task A_signature_over_another_body_is_refused()
    {
        await using var host = new DevicesTestHost(azurite);
        var body = Capture("Authenticate.1.plist");
        using var request = new HttpRequestMessage(HttpMethod.Put, "/mdm/checkin") { Content = new ByteArrayContent(body) };
        request.Headers.Add("Mdm-Signature", DeviceCertificates.Sign(Encoding.UTF8.GetBytes("something else"), certA));

        await ProblemAssert.IsProblemAsync(await host.Device.SendAsync(request, Token), HttpStatusCode.Forbidden, "device-identity-refused");
        Assert.Null(await host.Service<DeviceStore>().GetAsync(IPadUdid, Token));
    }

    [Fact]
    public async Task After_CheckOut_the_device_may_enrol_again_with_a_new_certificate()
    {
        await using var host = new DevicesTestHost(azurite);
        await host.EnrolMacAsync(certA);
        await AssertEmptyOkAsync(await host.CheckinAsync(Body(("MessageType", "CheckOut"), ("Topic", Topic), ("UDID", MacUdid)), certA));

        await host.EnrolMacAsync(certB);

        Assert.Equal(DeviceCertificates.Thumbprint(certB), (await host.Service<DeviceStore>().GetAsync(MacUdid, Token))!.IdentityThumbprint);
        await ProblemAssert.IsProblemAsync(await host.ConnectAsync(Body(("Status", "Idle"), ("UDID", MacUdid)), certA), HttpStatusCode.Forbidden, "device-identity-refused");
        Assert.Null(await host.IdleAsync(MacUdid, certB));
    }

    [Fact]
    public async Task RequireSignature_refuses_unsigned_messages_before_anything_changes()
    {
        await using var host = new DevicesTestHost(azurite, new() { ["Mdm:RequireSignature"] = "true" });

        await ProblemAssert.IsProblemAsync(await host.CheckinAsync(Capture("Authenticate.1.plist")), HttpStatusCode.Unauthorized, "signature-required");
        await ProblemAssert.IsProblemAsync(await host.ConnectAsync(Body(("Status", "Idle"), ("UDID", IPadUdid))), HttpStatusCode.Unauthorized, "signature-required");
        Assert.Null(await host.Service<DeviceStore>().GetAsync(IPadUdid, Token));

        await host.EnrolIPadAsync(certA);
        Assert.Null(await host.IdleAsync(IPadUdid, certA));
    }

    [Fact]
    public async Task With_an_identity_CA_configured_only_certificates_it_issued_are_accepted()
    {
        var caPath = Path.Combine(Path.GetTempPath(), $"mdm-ca-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(caPath, ca.ExportCertificatePem(), Token);
        try
        {
            await using var host = new DevicesTestHost(azurite, new() { ["Mdm:IdentityCaPath"] = caPath, ["Mdm:RequireSignature"] = "true" });
            using var rogue = DeviceCertificates.Issue(rogueCa, "CN=device A");

            await ProblemAssert.IsProblemAsync(await host.CheckinAsync(Capture("Authenticate.1.plist"), rogue), HttpStatusCode.Forbidden, "device-identity-refused");
            Assert.Null(await host.Service<DeviceStore>().GetAsync(IPadUdid, Token));

            await host.EnrolIPadAsync(certA);
            Assert.True((await host.GetDeviceAsync(IPadUdid)).GetProperty("identityBound").GetBoolean());
        }
        finally
        {
            File.Delete(caPath);
        }
    }
}
