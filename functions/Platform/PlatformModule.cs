using ManagedDistribution.Platform.Hosting;
using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Platform;

/// <summary>Cross-cutting services every feature relies on: storage, HTTP edge, hosting.</summary>
public static class PlatformModule
{
    public static WebApplicationBuilder AddPlatform(this WebApplicationBuilder builder)
    {
        builder.Services.AddStorage(builder.Configuration);
        builder.AddHosting();
        return builder;
    }

    public static WebApplication UsePlatform(this WebApplication app)
    {
        return app;
    }

    public static WebApplication MapPlatform(this WebApplication app)
    {
        app.MapGet("/api/health", () => Results.Ok());
        app.MapInvocations();
        return app;
    }
}
