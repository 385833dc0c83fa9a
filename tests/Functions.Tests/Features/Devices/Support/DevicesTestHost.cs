using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using ManagedDistribution.Features.Devices;
using ManagedDistribution.Features.Devices.Identity;
using ManagedDistribution.Features.Devices.Protocol.Commands;
using ManagedDistribution.Features.Directory;
using ManagedDistribution.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static ManagedDistribution.Tests.Features.Devices.Protocol.MdmTestData;

namespace ManagedDistribution.Tests.Features.Devices.Support;

/// <summary>
/// The real app on Azurite with the push workflow and the user directory replaced by recording
/// doubles, plus a device's view (/mdm, plist bodies, optional Mdm-Signature) and an admin's (/api, JSON).
/// </summary>
public sealed class DevicesTestHost : IAsyncDisposable
{
    public const string IPadUdid = "663b07bb783e9ade1dae4fbb92ea12afc0ce5b69";
    public const string MacUdid = "66ADE930-5FDF-5EC4-8429-15640684C489";

    public DevicesTestHost(AzuriteFixture azurite, Dictionary<string, string?>? settings = null)
    {
        App = new AppFactory(azurite)
        {
            Settings = settings ?? [],
            ConfigureServices = services =>
            {
                services.AddSingleton<IPushScheduler>(Pushes);
                services.AddSingleton<IUserDirectory>(Users);
            },
        };
        Admin = App.CreateAdminClient();
        Device = App.CreateClient();
    }

    public AppFactory App { get; }
    public HttpClient Admin { get; }
    public HttpClient Device { get; }
    public RecordingPushScheduler Pushes { get; } = new();
    public FakeUserDirectory Users { get; } = new();

    static CancellationToken Token => TestContext.Current.CancellationToken;

    public T Service<T>() where T : notnull => App.Services.GetRequiredService<T>();

    public Task<HttpResponseMessage> CheckinAsync(byte[] body, X509Certificate2? signer = null) => PutAsync("/mdm/checkin", body, signer, "application/x-apple-aspen-mdm-checkin");

    public Task<HttpResponseMessage> ConnectAsync(byte[] body, X509Certificate2? signer = null) => PutAsync("/mdm/connect", body, signer, "application/x-apple-aspen-mdm");

    async Task<HttpResponseMessage> PutAsync(string path, byte[] body, X509Certificate2? signer, string contentType)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        if (signer is not null) request.Headers.Add(MdmSignature.HeaderName, DeviceCertificates.Sign(body, signer));
        return await Device.SendAsync(request, Token);
    }

    /// <summary>Authenticate then TokenUpdate from the real captures; both must answer an empty 200.</summary>
    public async Task EnrolAsync(string authenticate, string tokenUpdate, X509Certificate2? signer = null)
    {
        await AssertEmptyOkAsync(await CheckinAsync(Capture(authenticate), signer));
        await AssertEmptyOkAsync(await CheckinAsync(Capture(tokenUpdate), signer));
    }

    public Task EnrolIPadAsync(X509Certificate2? signer = null) => EnrolAsync("Authenticate.1.plist", "TokenUpdate.1.plist", signer);
    public Task EnrolMacAsync(X509Certificate2? signer = null) => EnrolAsync("Authenticate.2.plist", "TokenUpdate.2.plist", signer);

    /// <summary>Sends a command report and returns the command the server answered with, or null for an empty 200 body.</summary>
    public async Task<MdmCommand?> ReportAsync(byte[] body, X509Certificate2? signer = null)
    {
        using var response = await ConnectAsync(body, signer);
        var bytes = await response.Content.ReadAsByteArrayAsync(Token);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"connect answered {(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(bytes)}");
        if (bytes.Length == 0) return null;
        var command = MdmCommand.Decode(bytes);
        Assert.True(command.Succeeded, command.Error?.Detail);
        return command.Value;
    }

    public Task<MdmCommand?> IdleAsync(string udid, X509Certificate2? signer = null) => ReportAsync(Body(("Status", "Idle"), ("UDID", udid)), signer);

    public static byte[] Status(string udid, string status, string commandUuid, params (string Key, object Value)[] extra) =>
        Body([("Status", status), ("UDID", udid), ("CommandUUID", commandUuid), .. extra]);

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await Admin.GetAsync(path, Token);
        var text = await response.Content.ReadAsStringAsync(Token);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path} answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public Task<JsonElement> GetDeviceAsync(string id) => GetJsonAsync("/api/devices/" + id);

    public async Task<JsonElement> RefreshAsync(string id)
    {
        using var response = await Admin.PostAsync($"/api/devices/{id}/refresh", null, Token);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Token)).Clone();
    }

    public static async Task AssertEmptyOkAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync(Token);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Expected 200, got {(int)response.StatusCode}: {body}");
        Assert.Equal("", body);
    }

    public async ValueTask DisposeAsync()
    {
        Admin.Dispose();
        Device.Dispose();
        await App.DisposeAsync();
    }
}
