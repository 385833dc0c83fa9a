using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ManagedDistribution.Features.Devices.Push;

/// <summary>
/// Shows push trouble on <c>/api/health</c>: a certificate problem (APNs 403, TLS failure, bad
/// PKCS#12) newer than the last delivered push, or a certificate close to expiry, makes the app
/// "degraded" — still serving, but devices won't be woken until an administrator acts.
/// </summary>
sealed class ApnsHealthCheck(ApnsHealth health, TimeProvider time) : IHealthCheck
{
    public const string Name = "apns";
    static readonly TimeSpan ExpiryWarning = TimeSpan.FromDays(30);

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var now = health.Current;
        if (now.LastCertificateError is { } error && (now.LastDeliveredAt is null || now.LastCertificateErrorAt > now.LastDeliveredAt))
            return Task.FromResult(HealthCheckResult.Degraded($"Push certificate problem: {error}"));
        if (now.CertificateNotAfter is { } notAfter && notAfter - time.GetUtcNow() < ExpiryWarning)
            return Task.FromResult(HealthCheckResult.Degraded($"The MDM push certificate expires on {notAfter:yyyy-MM-dd}: renew it (same topic) before then."));
        return Task.FromResult(HealthCheckResult.Healthy("No push certificate problem seen."));
    }
}
