using ManagedDistribution.AppleEmulator.Apns;
using ManagedDistribution.AppleEmulator.Certificates;

namespace ManagedDistribution.AppleEmulator.Devices;

public static class DeviceSimulatorModule
{
    /// <summary>The simulator (settings from <c>Emulator:Devices</c>) and its start-up enrolment.</summary>
    public static IServiceCollection AddDeviceSimulator(this IServiceCollection services)
    {
        services.AddSingleton(sp => new DeviceSimulator(
            sp.GetRequiredService<EmulatorOptions>().Devices,
            sp.GetRequiredService<ApnsRegistry>(),
            sp.GetRequiredService<TestPkiFolder>().Pki,
            handler: null,
            sp.GetService<TimeProvider>(),
            sp.GetRequiredService<ILogger<DeviceSimulator>>()));
        services.AddHostedService<DeviceSimulatorStartup>();
        return services;
    }

    /// <summary>Knobs and views under <c>/emulator/devices</c>, for the run command and scripts.</summary>
    public static WebApplication MapDeviceSimulator(this WebApplication app)
    {
        app.MapDeviceSimulatorAdmin();
        return app;
    }
}

/// <summary>Enrols <see cref="DeviceSimulatorOptions.Count"/> devices once the server answers its health path.</summary>
sealed class DeviceSimulatorStartup(DeviceSimulator simulator, ILogger<DeviceSimulatorStartup> logger) : BackgroundService
{
    static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var options = simulator.Options;
        if (options.Count <= 0 || options.ServerUrl is null) return;
        var health = new Uri(new Uri(options.ServerUrl.AbsoluteUri.TrimEnd('/') + "/"), options.HealthPath.TrimStart('/'));
        using (var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) })
            while (!await AnswersAsync(http, health, stoppingToken)) await Task.Delay(PollInterval, stoppingToken);

        var devices = await simulator.EnrolAsync(options.Count, cancellationToken: stoppingToken);
        foreach (var device in devices)
            logger.LogInformation("Simulated {ProductName} {Udid}: {Outcome}", device.Model.ProductName, device.Udid,
                device.Enrolled ? "enrolled" : "not enrolled: " + device.LastError);
    }

    static async Task<bool> AnswersAsync(HttpClient http, Uri health, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync(health, cancellationToken);
            return true;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
