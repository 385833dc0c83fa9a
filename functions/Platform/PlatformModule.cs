using ManagedDistribution.Platform.Hosting;
using ManagedDistribution.Platform.Http;
using ManagedDistribution.Platform.Storage;
using ManagedDistribution.Platform.Telemetry;

namespace ManagedDistribution.Platform;

/// <summary>Cross-cutting services every feature relies on: storage, telemetry, HTTP edge, hosting.</summary>
public static class PlatformModule
{
    public static WebApplicationBuilder AddPlatform(this WebApplicationBuilder builder)
    {
        builder.Services.AddStorage(builder.Configuration);
        builder.AddTelemetry();
        builder.AddHttpEdge();
        builder.AddHosting();
        return builder;
    }

    public static WebApplication UsePlatform(this WebApplication app)
    {
        app.UseTelemetry();
        app.UseHttpEdge();
        return app;
    }

    public static WebApplication MapPlatform(this WebApplication app)
    {
        app.MapHealth();
        app.MapHttpEdge();
        app.MapInvocations();
        return app;
    }
}
