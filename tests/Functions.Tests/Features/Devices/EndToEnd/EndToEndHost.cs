using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ManagedDistribution.AppleEmulator.Certificates;
using ManagedDistribution.AppleEmulator.Devices;
using ManagedDistribution.Tests.Features.Devices.Push;
using ManagedDistribution.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ManagedDistribution.Tests.Features.Devices.EndToEnd;

/// <summary>
/// Everything real but the devices: the app (AppFactory on Azurite) with its APNs client and push
/// workflow pointed at the emulated APNs, and the device simulator talking to the app's /mdm
/// endpoints and waking up on the pushes the emulator delivers. Test-sized windows and polling.
/// </summary>
public sealed class EndToEndHost : IAsyncDisposable
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public EndToEndHost(AzuriteFixture azurite, ApnsEmulatorFixture emulator, Dictionary<string, string?>? settings = null,
        Action<DeviceSimulatorOptions>? configureSimulator = null)
    {
        Emulator = emulator;
        App = new AppFactory(azurite)
        {
            Settings = emulator.AppSettings(checkinWindow: "00:00:02"),
            ConfigureServices = services => services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2)),
        };
        foreach (var (key, value) in settings ?? []) App.Settings[key] = value;
        Admin = App.CreateAdminClient();
        var options = new DeviceSimulatorOptions { ServerUrl = App.Server.BaseAddress, NotNowRetryDelay = TimeSpan.FromMilliseconds(300) };
        configureSimulator?.Invoke(options);
        Simulator = new DeviceSimulator(options, emulator.Host.Apns.Registry, emulator.Certificates.Pki, App.Server.CreateHandler());
    }

    public ApnsEmulatorFixture Emulator { get; }
    public AppFactory App { get; }
    public HttpClient Admin { get; }
    public DeviceSimulator Simulator { get; }

    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async Task<SimulatedDevice> EnrolAsync(DeviceKind kind)
    {
        var device = (await Simulator.EnrolAsync(1, kind, cancellationToken: Cancel)).Single();
        Assert.True(device.Enrolled, device.LastError);
        return device;
    }

    public async Task<JsonElement> GetAsync(string path)
    {
        using var response = await Admin.GetAsync(path, Cancel);
        var text = await response.Content.ReadAsStringAsync(Cancel);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path} answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public Task<JsonElement> DeviceAsync(SimulatedDevice device) => GetAsync("/api/devices/" + device.Udid);

    public async Task<string[]> AppBundleIdsAsync(SimulatedDevice device) =>
        (await GetAsync($"/api/devices/{device.Udid}/apps")).GetProperty("apps").EnumerateArray()
            .Select(a => a.GetProperty("bundleId").GetString()!).Order(StringComparer.Ordinal).ToArray();

    public async Task<JsonElement[]> CommandsAsync(SimulatedDevice device) =>
        (await GetAsync($"/api/devices/{device.Udid}/commands")).GetProperty("items").EnumerateArray().ToArray();

    /// <summary>POST /api/devices/{id}/refresh: 202 with the queued command UUIDs and the push task id.</summary>
    public async Task<(string[] CommandUuids, string TaskId)> RefreshAsync(SimulatedDevice device)
    {
        using var response = await Admin.PostAsync($"/api/devices/{device.Udid}/refresh", null, Cancel);
        var text = await response.Content.ReadAsStringAsync(Cancel);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"refresh answered {(int)response.StatusCode}: {text}");
        var body = JsonDocument.Parse(text).RootElement;
        return (body.GetProperty("commandUuids").EnumerateArray().Select(u => u.GetString()!).ToArray(), body.GetProperty("taskId").GetString()!);
    }

    public async ValueTask DisposeAsync()
    {
        await Simulator.DisposeAsync();
        Admin.Dispose();
        await App.DisposeAsync();
    }
}
