using ManagedDistribution.Platform.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ManagedDistribution.Platform.Telemetry;

/// <summary>Health of the storage account, through <see cref="IStorageProbe"/>; its failure makes the app unhealthy.</summary>
sealed class StorageHealthCheck(IStorageProbe probe, ILogger<StorageHealthCheck> logger) : IHealthCheck
{
    public const string Name = "storage";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await probe.ProbeAsync(cancellationToken);
            return HealthCheckResult.Healthy("Storage answers.");
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutException or IOException
                                       or Azure.RequestFailedException or StorageRequestFailedException)
        {
            // The message names the endpoint, which the anonymous answer leaves out; a stack trace adds nothing.
            logger.LogWarning("Storage probe failed: {Error}", e.Message);
            return HealthCheckResult.Unhealthy(Describe(e));
        }
    }

    /// <summary>A reason for an anonymous caller: what went wrong, never which host or address.</summary>
    static string Describe(Exception e) => e switch
    {
        // Azure.Core wraps transport failures (status 0) around the HttpRequestException.
        Azure.RequestFailedException { Status: 0, InnerException: { } inner } => Describe(inner),
        StorageRequestFailedException answered => $"Storage answered {answered.Status} {answered.ErrorCode}: check the account and its credentials.",
        TimeoutException timeout => timeout.Message,
        HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError } => "Storage refused or dropped the connection.",
        HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError } => "The storage host name does not resolve.",
        HttpRequestException { HttpRequestError: HttpRequestError.SecureConnectionError } => "The TLS handshake with storage failed.",
        _ => "Storage could not be reached.",
    };
}
