namespace ManagedDistribution.Features.Devices.Push;

/// <summary>Push log events. Tokens appear as an 8-digit prefix only; push magic never.</summary>
static partial class ApnsLog
{
    [LoggerMessage(1, LogLevel.Information, "APNs push certificate loaded for topic {Topic}, valid until {NotAfter}")]
    public static partial void CertificateLoaded(ILogger logger, string? topic, DateTime notAfter);

    [LoggerMessage(2, LogLevel.Error, "APNs certificate problem: {Reason} (topic {Topic}); pushes fail until the certificate is fixed")]
    public static partial void CertificateProblem(ILogger logger, string reason, string? topic);

    [LoggerMessage(3, LogLevel.Debug, "APNs push to {TokenPrefix} got {Status} {Reason}; retry {Attempt} in {Delay}")]
    public static partial void Retrying(ILogger logger, string tokenPrefix, int status, string reason, int attempt, TimeSpan delay);

    [LoggerMessage(4, LogLevel.Information, "APNs refused token {TokenPrefix}: {Outcome}")]
    public static partial void TokenRefused(ILogger logger, string tokenPrefix, string outcome);

    [LoggerMessage(5, LogLevel.Warning, "APNs push to {TokenPrefix} failed: {Outcome}")]
    public static partial void PushFailed(ILogger logger, string tokenPrefix, string outcome);
}
