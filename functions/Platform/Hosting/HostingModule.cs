using System.Net;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ManagedDistribution.Platform.Hosting;

/// <summary>
/// Trigger plumbing (DESIGN.md §3): under the Functions host the app listens on
/// 127.0.0.1:<c>FUNCTIONS_CUSTOMHANDLER_PORT</c> and answers invocations; standalone it runs its
/// own queue listeners and timers. Both call the same handlers.
/// </summary>
public static class HostingModule
{
    public static WebApplicationBuilder AddHosting(this WebApplicationBuilder builder)
    {
        var environment = FunctionsHostEnvironment.From(builder.Configuration);
        if (environment.Port is { } port)
        {
            // Loopback only, and only this port: the host probes and invokes us here, and nothing
            // else should reach the invocation routes. Listen() overrides ASPNETCORE_URLS.
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        }
        builder.Services.AddHostingCore();
        return builder;
    }

    /// <summary>Idempotent: every AddQueueFunction/AddTimerFunction calls it, so registration order does not matter.</summary>
    internal static IServiceCollection AddHostingCore(this IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(FunctionRegistry))) return services;
        services.AddOptions<HostingOptions>().BindConfiguration(HostingOptions.SectionName)
            .Validate(HostingOptions.IsValid, "Hosting options out of range: BatchSize 1-32, LeaseDuration whole seconds >= 1, MaxPollingInterval >= MinPollingInterval > 0.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => FunctionsHostEnvironment.From(sp.GetRequiredService<IConfiguration>()));
        services.AddSingleton(sp => new FunctionRegistry(sp.GetServices<FunctionDescriptor>()));
        services.AddSingleton<FunctionInvoker>();
        return services;
    }

    /// <summary>
    /// Maps <c>GET /</c> (the host's readiness probe) and, when enabled, <c>POST /&lt;FunctionName&gt;</c>
    /// for every registered function. These routes sit outside <c>/api</c> and <c>/mdm</c>, the only
    /// paths the host's public HTTP functions forward, so the internet cannot invoke a handler.
    /// </summary>
    public static WebApplication MapInvocations(this WebApplication app)
    {
        app.MapGet("/", () => TypedResults.Text("ready")).ExcludeFromDescription().AllowAnonymous();
        if (InvocationEndpoints.Enabled(app))
            InvocationEndpoints.Map(app, app.Services.GetRequiredService<FunctionRegistry>());
        return app;
    }
}
