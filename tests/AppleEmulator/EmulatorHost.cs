using ManagedDistribution.AppleEmulator.AppsAndBooks;

namespace ManagedDistribution.AppleEmulator;

/// <summary>Starts the emulator's Kestrel server in-process (tests) or as a program (run command).</summary>
public sealed class EmulatorHost : IAsyncDisposable
{
    readonly WebApplication app;

    EmulatorHost(WebApplication app) => this.app = app;

    public IServiceProvider Services => app.Services;

    public static async Task<EmulatorHost> StartAsync(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Services.AddAppsAndBooksEmulator();
        configure?.Invoke(builder);
        var app = builder.Build();
        app.MapGet("/", () => "Apple services emulator");
        app.MapAppsAndBooksEmulator();
        await app.StartAsync();
        return new EmulatorHost(app);
    }

    public Task WaitForShutdownAsync() => app.WaitForShutdownAsync();

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
