using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using ManagedDistribution.AppleEmulator;
using ManagedDistribution.AppleEmulator.AppsAndBooks;
using ManagedDistribution.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ManagedDistribution.Tests.Features.LocationTokens;

/// <summary>
/// The app on Kestrel at a real 127.0.0.1 port (so the emulator can POST notifications back to
/// it) against Azurite and the Apps and Books emulator over real HTTP. With
/// <c>notifications</c>, <c>AppleAppsAndBooks:NotificationUrl</c> points at the app itself.
/// </summary>
internal sealed class VppTestHost : IAsyncDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    readonly EmulatorHost emulatorHost;

    VppTestHost(EmulatorHost emulatorHost, AppFactory app)
    {
        this.emulatorHost = emulatorHost;
        Emulator = emulatorHost.Services.GetRequiredService<AppsAndBooksEmulator>();
        App = app;
    }

    public AppsAndBooksEmulator Emulator { get; }
    public AppFactory App { get; }
    public HttpClient Client { get; private set; } = null!;
    public Uri AppUrl { get; private set; } = null!;
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public static async Task<VppTestHost> StartAsync(AzuriteFixture azurite, bool notifications = false, Dictionary<string, string?>? settings = null)
    {
        var emulatorHost = await EmulatorHost.StartAsync(["--urls", "http://127.0.0.1:0"], b => b.Logging.ClearProviders());
        var emulatorRoot = emulatorHost.HttpRoot;
        var port = FreePort();
        var all = new Dictionary<string, string?>
        {
            ["AppleAppsAndBooks:BaseUrl"] = emulatorRoot + "/mdm/v2/",
            ["AppleAppsAndBooks:MdmId"] = "md-test",
            ["AppleAppsAndBooks:InitialRetryDelay"] = "00:00:00.050",
            ["AppleAppsAndBooks:MaxRetries"] = "1",
            ["LocationTokens:EncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["LocationTokens:HealthCacheDuration"] = "00:00:00",
        };
        if (notifications) all["AppleAppsAndBooks:NotificationUrl"] = $"http://127.0.0.1:{port}/api/apple/notifications";
        foreach (var (key, value) in settings ?? []) all[key] = value;
        var app = new AppFactory(azurite) { Settings = all };
        app.UseKestrel(port);
        app.StartServer();
        var host = new VppTestHost(emulatorHost, app) { AppUrl = new Uri($"http://127.0.0.1:{port}/") };
        host.Emulator.Settings.EventProcessingDelay = TimeSpan.FromMilliseconds(5);
        host.Emulator.Settings.NotificationRetryDelay = TimeSpan.FromMilliseconds(50);
        host.Client = app.CreateAdminClient();
        return host;
    }

    public EmulatedLocation NewLocation(string org = "Test School", DateTimeOffset? expiresOn = null) =>
        Emulator.AddLocation(org, org + " Campus", expiresOn);

    public Task<HttpResponseMessage> InstallAsync(string sToken, bool? takeOver = null) =>
        Client.PostAsJsonAsync("/api/vpp/tokens", new { sToken, takeOver }, Json, Cancel);

    public async Task<T> ReadAsync<T>(HttpResponseMessage response, HttpStatusCode status = HttpStatusCode.OK)
    {
        var body = await response.Content.ReadAsStringAsync(Cancel);
        Assert.True(response.StatusCode == status, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
        return JsonSerializer.Deserialize<T>(body, Json)!;
    }

    public async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode status = HttpStatusCode.OK) =>
        await ReadAsync<JsonElement>(response, status);

    /// <summary>Polls until <paramref name="condition"/> holds (notifications arrive asynchronously).</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what)
    {
        // Generous: a wait, not a time limit. Workflows of 100+ devices share 2 cores with the rest of the suite in CI.
        var until = DateTime.UtcNow.AddSeconds(60);
        while (!await condition())
        {
            if (DateTime.UtcNow > until) Assert.Fail("Timed out waiting for " + what);
            await Task.Delay(50, Cancel);
        }
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.DisposeAsync();
        await emulatorHost.DisposeAsync();
    }
}
