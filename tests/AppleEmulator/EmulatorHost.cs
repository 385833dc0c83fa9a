using ManagedDistribution.AppleEmulator.AppsAndBooks;
using ManagedDistribution.AppleEmulator.Apns;
using ManagedDistribution.AppleEmulator.Certificates;
using ManagedDistribution.AppleEmulator.Devices;

namespace ManagedDistribution.AppleEmulator;

/// <summary>Starts the emulator's Kestrel server in-process (tests) or as a program (run command).</summary>
public sealed class EmulatorHost : IAsyncDisposable
{
    readonly WebApplication app;

    EmulatorHost(WebApplication app) => this.app = app;

    public IServiceProvider Services => app.Services;
    public EmulatorOptions Options => app.Services.GetRequiredService<EmulatorOptions>();
    public TestPkiFolder Certificates => app.Services.GetRequiredService<TestPkiFolder>();
    public ApnsEmulator Apns => app.Services.GetRequiredService<ApnsEmulator>();
    public DeviceSimulator Devices => app.Services.GetRequiredService<DeviceSimulator>();

    /// <summary>The plain-HTTP address Kestrel listens on (Apps and Books, MDM), without a trailing slash.</summary>
    public string HttpRoot => app.Urls.First(a => a.StartsWith("http://", StringComparison.Ordinal)).TrimEnd('/');

    public static Task<EmulatorHost> StartAsync(string[] args, Action<WebApplicationBuilder>? configure = null) =>
        StartAsync(args, null, configure);

    /// <param name="options">Null: bound from the <c>Emulator</c> configuration section.</param>
    public static async Task<EmulatorHost> StartAsync(string[] args, EmulatorOptions? options, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        options ??= builder.Configuration.GetSection(EmulatorOptions.SectionName).Get<EmulatorOptions>() ?? new();
        builder.Services.AddSingleton(options);
        var certificates = TestPkiFolder.LoadOrCreate(options.CertificateFolder ?? Path.Combine(Path.GetTempPath(), "md-emulator-" + Guid.NewGuid().ToString("N")));
        builder.Services.AddSingleton(certificates);
        var apns = await ApnsEmulator.StartAsync(options, certificates.Pki);
        builder.Services.AddSingleton(apns).AddSingleton(apns.Registry);
        builder.Services.AddAppsAndBooksEmulator();
        builder.Services.AddDeviceSimulator();
        configure?.Invoke(builder);
        var app = builder.Build();
        app.MapGet("/", () => "Apple services emulator");
        app.MapAppsAndBooksEmulator();
        app.MapDeviceSimulator();
        await app.StartAsync();
        return new EmulatorHost(app);
    }

    public Task WaitForShutdownAsync() => app.WaitForShutdownAsync();

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await Apns.DisposeAsync();
        await app.DisposeAsync();
    }
}
