using ManagedDistribution.Platform.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ManagedDistribution.Platform.Telemetry;

/// <summary>
/// <c>GET /api/health</c> (anonymous): storage reachability plus every other registered
/// <see cref="IHealthCheck"/>. Components contribute with
/// <c>services.AddHealthChecks().AddCheck&lt;MyCheck&gt;("apns")</c>; their results appear under
/// <c>checks</c>. Every check gets <see cref="DefaultCheckTimeout"/> unless it sets its own, so the
/// endpoint always answers quickly. 503 when any check is unhealthy.
/// </summary>
public static class HealthEndpoints
{
    public const string Path = "/api/health";
    public static readonly TimeSpan DefaultCheckTimeout = TimeSpan.FromSeconds(3);

    public static IServiceCollection AddHealth(this IServiceCollection services)
    {
        services.TryAddSingleton<IStorageProbe, StorageProbe>();
        services.AddHealthChecks().AddCheck<StorageHealthCheck>(StorageHealthCheck.Name);
        services.PostConfigure<HealthCheckServiceOptions>(options =>
        {
            foreach (var registration in options.Registrations.Where(r => r.Timeout == Timeout.InfiniteTimeSpan))
                registration.Timeout = DefaultCheckTimeout;
        });
        return services;
    }

    public static RouteHandlerBuilder MapHealth(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet(Path, GetHealthAsync)
            .AllowAnonymous()
            .WithTags("Platform")
            .WithName("GetHealth")
            .WithSummary("Whether the app and the services it needs answer.")
            .Produces<HealthDto>(StatusCodes.Status503ServiceUnavailable);

    static async Task<Results<Ok<HealthDto>, JsonHttpResult<HealthDto>>> GetHealthAsync(
        HealthCheckService health, CancellationToken cancellationToken)
    {
        var report = await health.CheckHealthAsync(cancellationToken);
        var storage = report.Entries.TryGetValue(StorageHealthCheck.Name, out var entry)
            ? new StorageHealthDto(entry.Status == HealthStatus.Healthy, Milliseconds(entry.Duration), entry.Status == HealthStatus.Healthy ? null : entry.Description)
            : new StorageHealthDto(false, 0, "No storage check is registered.");
        var checks = report.Entries
            .Where(e => e.Key != StorageHealthCheck.Name)
            .ToDictionary(e => e.Key, e => new HealthCheckDto(Name(e.Value.Status), e.Value.Description, Milliseconds(e.Value.Duration)));
        var body = new HealthDto(Name(report.Status), storage, checks);
        return report.Status == HealthStatus.Unhealthy
            ? TypedResults.Json(body, statusCode: StatusCodes.Status503ServiceUnavailable)
            : TypedResults.Ok(body);
    }

    static string Name(HealthStatus status) => status.ToString().ToLowerInvariant();
    static double Milliseconds(TimeSpan duration) => Math.Round(duration.TotalMilliseconds, 1);
}

/// <summary>The health answer: overall <c>healthy</c>, <c>degraded</c> or <c>unhealthy</c>.</summary>
public sealed record HealthDto(string Status, StorageHealthDto Storage, IReadOnlyDictionary<string, HealthCheckDto> Checks);

/// <summary>Storage reachability; <c>reason</c> says why when it is not reachable.</summary>
public sealed record StorageHealthDto(bool Reachable, double DurationMs, string? Reason);

/// <summary>One contributed check (for example the APNs certificate).</summary>
public sealed record HealthCheckDto(string Status, string? Description, double DurationMs);
