using Microsoft.Extensions.Configuration.Memory;
using Microsoft.AspNetCore.HttpLogging;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ManagedDistribution.Platform.Telemetry;

/// <summary>
/// Logging and health: JSON console logs outside Development (one object per line, for the
/// Functions host and log shipping), single-line text in Development, one request log line per
/// request without headers, query strings or bodies, secret redaction on every logger, and
/// <c>/api/health</c>.
/// </summary>
public static class TelemetryModule
{
    /// <summary>
    /// Default levels: one request line from HttpLogging instead of the framework's start/finish
    /// pair (which also prints query strings). Any <c>Logging:LogLevel:*</c> setting overrides them.
    /// </summary>
    static readonly Dictionary<string, string?> LogLevelDefaults = new()
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        ["Logging:LogLevel:Microsoft.AspNetCore.HttpLogging"] = "Information",
        ["Logging:LogLevel:System.Net.Http.HttpClient"] = "Warning",
    };

    public static WebApplicationBuilder AddTelemetry(this WebApplicationBuilder builder)
    {
        // Lowest precedence, and in code rather than appsettings.json: under the Functions host the
        // content root is the script root, not the folder holding the executable.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = LogLevelDefaults });
        if (builder.Environment.IsDevelopment())
            builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
        else
            builder.Logging.AddJsonConsole(o => { o.IncludeScopes = true; o.UseUtcTimestamp = true; o.TimestampFormat = "O"; });

        builder.Services.Replace(ServiceDescriptor.Singleton<ILoggerFactory>(
            services => new RedactingLoggerFactory(ActivatorUtilities.CreateInstance<LoggerFactory>(services))));

        builder.Services.AddHttpLogging(o =>
        {
            // Deliberately no headers (Authorization), query strings or bodies (tokens, push magic).
            o.LoggingFields = HttpLoggingFields.RequestMethod | HttpLoggingFields.RequestPath
                | HttpLoggingFields.ResponseStatusCode | HttpLoggingFields.Duration;
            o.CombineLogs = true;
        });
        builder.Services.AddHealth();
        return builder;
    }

    public static WebApplication UseTelemetry(this WebApplication app)
    {
        app.UseHttpLogging();
        return app;
    }
}
