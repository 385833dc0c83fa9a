using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using ManagedDistribution.AppleEmulator;
using ManagedDistribution.AppleEmulator.AppsAndBooks;
using ManagedDistribution.Features.Directory;
using ManagedDistribution.Tests.Features.Devices.Support;
using ManagedDistribution.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ManagedDistribution.Tests.Features.Invitations;

/// <summary>
/// The devices test host (real app on Azurite, recording push scheduler, fake user directory)
/// pointed at the Apps and Books emulator over real HTTP, with mail going to a pickup folder.
/// </summary>
internal sealed class InvitationsTestHost : IAsyncDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    readonly EmulatorHost emulatorHost;

    InvitationsTestHost(EmulatorHost emulatorHost, DevicesTestHost devices, string pickup)
    {
        this.emulatorHost = emulatorHost;
        Emulator = emulatorHost.Services.GetRequiredService<AppsAndBooksEmulator>();
        Devices = devices;
        PickupDirectory = pickup;
    }

    public AppsAndBooksEmulator Emulator { get; }
    public DevicesTestHost Devices { get; }
    public HttpClient Admin => Devices.Admin;
    public string PickupDirectory { get; }
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public static async Task<InvitationsTestHost> StartAsync(AzuriteFixture azurite)
    {
        var emulatorHost = await EmulatorHost.StartAsync(["--urls", "http://127.0.0.1:0"], b => b.Logging.ClearProviders());
        var emulatorRoot = emulatorHost.HttpRoot;
        var pickup = Path.Combine(Path.GetTempPath(), "md-invitations-" + Guid.NewGuid().ToString("N"));
        var settings = new Dictionary<string, string?>
        {
            ["AppleAppsAndBooks:BaseUrl"] = emulatorRoot + "/mdm/v2/",
            ["AppleAppsAndBooks:MdmId"] = "md-test",
            ["AppleAppsAndBooks:InitialRetryDelay"] = "00:00:00.050",
            ["AppleAppsAndBooks:InitialEventPollDelay"] = "00:00:00.020",
            ["AppleAppsAndBooks:MaxRetries"] = "1",
            ["LocationTokens:EncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["LocationTokens:HealthCacheDuration"] = "00:00:00",
            ["Mail:Provider"] = "Pickup",
            ["Mail:PickupDirectory"] = pickup,
        };
        var host = new InvitationsTestHost(emulatorHost, new DevicesTestHost(azurite, settings), pickup);
        host.Emulator.Settings.EventProcessingDelay = TimeSpan.FromMilliseconds(5);
        return host;
    }

    /// <summary>A new emulated location whose token is installed in the app.</summary>
    public async Task<EmulatedLocation> InstallLocationAsync(string org = "Lincoln High")
    {
        var location = Emulator.AddLocation(org, org + " Campus", null);
        var response = await Admin.PostAsJsonAsync("/api/vpp/tokens", new { sToken = location.SToken }, Json, Cancel);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return location;
    }

    public void AddUser(string id, string? email = null, string? managedAppleId = null, string? language = null) =>
        Devices.Users.Users[id] = new UserSummary(id, id, "User " + id, email, managedAppleId, language);

    public Task<HttpResponseMessage> SetEnabledAsync(string userId, bool enabled) =>
        Admin.PutAsJsonAsync($"/api/users/{userId}/managed-distribution", new { enabled }, Json, Cancel);

    public Task<HttpResponseMessage> InviteAsync(string userId, string channel, string? deviceId = null) =>
        Admin.PostAsJsonAsync($"/api/users/{userId}/invitations", new { channel, deviceId }, Json, Cancel);

    public static async Task<JsonElement> OkJsonAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync(Cancel);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Expected 200, got {(int)response.StatusCode}: {body}");
        return JsonSerializer.Deserialize<JsonElement>(body, Json);
    }

    public async ValueTask DisposeAsync()
    {
        await Devices.DisposeAsync();
        await emulatorHost.DisposeAsync();
        if (System.IO.Directory.Exists(PickupDirectory)) System.IO.Directory.Delete(PickupDirectory, recursive: true);
    }
}
