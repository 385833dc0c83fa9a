using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ManagedDistribution.AppleEmulator;
using ManagedDistribution.AppleEmulator.Devices;
using ManagedDistribution.Tests.Platform.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace ManagedDistribution.Tests.Emulator;

/// <summary>The emulator as the run command starts it: devices enrol at start-up, and /emulator/devices shows and drives them.</summary>
public sealed class DeviceSimulatorAdminTests : IAsyncLifetime
{
    readonly string certificates = Path.Combine(Path.GetTempPath(), "md-simulator-admin-" + Guid.NewGuid().ToString("N"));
    FakeMdmServer server = null!;
    EmulatorHost host = null!;
    HttpClient http = null!;

    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        server = await FakeMdmServer.StartAsync();
        host = await EmulatorHost.StartAsync(["--urls", "http://127.0.0.1:0"], new EmulatorOptions
        {
            CertificateFolder = certificates,
            Devices = new DeviceSimulatorOptions { ServerUrl = server.BaseUrl, Count = 3 },
        });
        http = new HttpClient { BaseAddress = new Uri(host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()) };
    }

    [Fact]
    public async Task DevicesEnrolAtStartAndTheAdminApiListsAndEnrolsMore()
    {
        await Eventually.TrueAsync(() => host.Devices.Counters.Enrolled == 3, "three devices enrolled at start");

        var listed = await http.GetFromJsonAsync<JsonElement[]>("/emulator/devices", Cancel);
        Assert.Equal(3, listed!.Length);
        Assert.All(listed, d => Assert.True(d.GetProperty("enrolled").GetBoolean()));
        Assert.DoesNotContain("pushMagic", JsonSerializer.Serialize(listed), StringComparison.OrdinalIgnoreCase);

        using var enrol = await http.PostAsJsonAsync("/emulator/devices/enrol", new { count = 2, kind = "mac" }, Cancel);
        Assert.Equal(HttpStatusCode.OK, enrol.StatusCode);
        Assert.Equal(2, (await enrol.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("enrolled").GetInt32());
        Assert.Equal(5, host.Devices.Devices.Count);

        using var bad = await http.PostAsJsonAsync("/emulator/devices/enrol", new { count = 1, kind = "toaster" }, Cancel);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var counters = await http.GetFromJsonAsync<JsonElement>("/emulator/devices/counters", Cancel);
        Assert.Equal(5, counters.GetProperty("enrolled").GetInt64());
    }

    public async ValueTask DisposeAsync()
    {
        http.Dispose();
        await host.DisposeAsync();
        await server.DisposeAsync();
        try { Directory.Delete(certificates, recursive: true); } catch (IOException) { }
    }
}
