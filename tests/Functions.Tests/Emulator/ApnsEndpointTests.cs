using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using ManagedDistribution.AppleEmulator.Certificates;
using ManagedDistribution.Tests.Features.Devices.Push;

namespace ManagedDistribution.Tests.Emulator;

/// <summary>The emulated APNs enforces Apple's request contract (apple.md §4.2–4.3), checked with raw HTTP/2 requests.</summary>
public sealed class ApnsEndpointTests(ApnsEmulatorFixture emulator) : IClassFixture<ApnsEmulatorFixture>, IDisposable
{
    readonly HttpClient http = RawClient(emulator.Certificates);

    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("POST", "/3/device/{token}", "mdm", "{topic}", "10", """{"mdm":"magic"}""", 200, null)]
    [InlineData("POST", "/3/device/{token}", "mdm", "{topic}", "5", """{"mdm":"magic"}""", 200, null)]
    [InlineData("GET", "/3/device/{token}", "mdm", "{topic}", "10", null, 405, "MethodNotAllowed")]
    [InlineData("POST", "/3/devices/{token}", "mdm", "{topic}", "10", """{"mdm":"magic"}""", 404, "BadPath")]
    [InlineData("POST", "/3/device/", "mdm", "{topic}", "10", """{"mdm":"magic"}""", 400, "MissingDeviceToken")]
    [InlineData("POST", "/3/device/xyz1", "mdm", "{topic}", "10", """{"mdm":"magic"}""", 400, "BadDeviceToken")]
    [InlineData("POST", "/3/device/{token}", null, "{topic}", "10", """{"mdm":"magic"}""", 400, "InvalidPushType")]
    [InlineData("POST", "/3/device/{token}", "alert", "{topic}", "10", """{"mdm":"magic"}""", 400, "InvalidPushType")]
    [InlineData("POST", "/3/device/{token}", "mdm", null, "10", """{"mdm":"magic"}""", 400, "MissingTopic")]
    [InlineData("POST", "/3/device/{token}", "mdm", "com.apple.mgmt.External.other", "10", """{"mdm":"magic"}""", 400, "TopicDisallowed")]
    [InlineData("POST", "/3/device/{token}", "mdm", "{topic}", "7", """{"mdm":"magic"}""", 400, "BadPriority")]
    [InlineData("POST", "/3/device/{token}", "mdm", "{topic}", "10", "", 400, "PayloadEmpty")]
    [InlineData("POST", "/3/device/{token}", "mdm", "{topic}", "10", """{"aps":{"alert":"hi"}}""", 400, "BadPayload")]
    [InlineData("POST", "/3/device/{token}", "mdm", "{topic}", "10", """{"mdm":"magic","x":1}""", 400, "BadPayload")]
    [InlineData("POST", "/3/device/{token}", "mdm", "{topic}", "10", """{"mdm":42}""", 400, "BadPayload")]
    public async Task RequestsAreCheckedLikeApns(string method, string path, string? pushType, string? topic, string priority,
        string? body, int status, string? reason)
    {
        using var request = Request(method, path, pushType, topic, body);
        request.Headers.Add("apns-priority", priority);

        using var response = await http.SendAsync(request, Cancel);

        Assert.Equal(status, (int)response.StatusCode);
        Assert.True(response.Headers.Contains("apns-id"));
        if (reason is not null) Assert.Equal($$"""{"reason":"{{reason}}"}""", await response.Content.ReadAsStringAsync(Cancel));
    }

    [Fact]
    public async Task BadExpirationAndMessageIdAndOversizedPayloadAreRefused()
    {
        using var badExpiration = Request("POST", "/3/device/{token}", "mdm", "{topic}", """{"mdm":"m"}""");
        badExpiration.Headers.Add("apns-expiration", "tomorrow");
        using var badId = Request("POST", "/3/device/{token}", "mdm", "{topic}", """{"mdm":"m"}""");
        badId.Headers.Add("apns-id", "not-a-uuid");
        using var tooLarge = Request("POST", "/3/device/{token}", "mdm", "{topic}", $$"""{"mdm":"{{new string('m', 4100)}}"}""");

        Assert.Equal(HttpStatusCode.BadRequest, (await http.SendAsync(badExpiration, Cancel)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.SendAsync(badId, Cancel)).StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await http.SendAsync(tooLarge, Cancel)).StatusCode);
    }

    [Fact]
    public async Task ApnsIdIsEchoed()
    {
        var id = Guid.NewGuid().ToString("D");
        using var request = Request("POST", "/3/device/{token}", "mdm", "{topic}", """{"mdm":"m"}""");
        request.Headers.Add("apns-id", id);

        using var response = await http.SendAsync(request, Cancel);

        Assert.Equal(id, Assert.Single(response.Headers.GetValues("apns-id")));
    }

    [Fact]
    public async Task Http11IsRefused()
    {
        using var request = Request("POST", "/3/device/{token}", "mdm", "{topic}", """{"mdm":"m"}""");
        request.Version = HttpVersion.Version11;
        request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;

        await Assert.ThrowsAsync<HttpRequestException>(() => http.SendAsync(request, Cancel));
    }

    HttpRequestMessage Request(string method, string path, string? pushType, string? topic, string? body)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), new Uri(emulator.Host.Apns.BaseUrl, path.Replace("{token}", ApnsEmulatorFixture.NewToken())))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        if (pushType is not null) request.Headers.Add("apns-push-type", pushType);
        if (topic is not null) request.Headers.Add("apns-topic", topic.Replace("{topic}", emulator.Topic));
        if (body is not null) request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        return request;
    }

    static HttpClient RawClient(TestPkiFolder certificates)
    {
        var localCa = X509CertificateLoader.LoadCertificateFromFile(certificates.LocalCaPemPath);
        return new HttpClient(new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = [certificates.Pki.PushCertificate],
                RemoteCertificateValidationCallback = (_, server, _, _) =>
                {
                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(localCa);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return server is X509Certificate2 certificate && chain.Build(certificate);
                },
            },
        });
    }

    public void Dispose() => http.Dispose();
}
