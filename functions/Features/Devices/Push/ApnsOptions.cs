using System.ComponentModel.DataAnnotations;

namespace ManagedDistribution.Features.Devices.Push;

/// <summary>APNs settings (section <c>Apns</c>): where to push and with which MDM push certificate.</summary>
public sealed class ApnsOptions
{
    public const string SectionName = "Apns";

    /// <summary>APNs endpoint; MDM push certificates are production-only (apple.md §4.1).</summary>
    [Required]
    public Uri BaseUrl { get; set; } = new("https://api.push.apple.com");

    /// <summary>
    /// PKCS#12 file with the MDM push certificate and its key. Unset, and <see cref="CertificateBase64"/>
    /// too: pushes answer <see cref="PushResult.NotConfigured"/>.
    /// </summary>
    public string? CertificatePath { get; set; }

    /// <summary>
    /// The same PKCS#12 as base64, used when <see cref="CertificatePath"/> is unset: Flex Consumption
    /// has no certificate store, so in Azure it arrives as a Key Vault reference app setting.
    /// </summary>
    public string? CertificateBase64 { get; set; }

    internal bool HasCertificate => !string.IsNullOrEmpty(CertificatePath) || !string.IsNullOrEmpty(CertificateBase64);

    public string? CertificatePassword { get; set; }

    /// <summary>PEM or DER CA certificate trusted for the server, besides the system roots (the local emulator's CA).</summary>
    public string? TrustedCaPath { get; set; }

    /// <summary>Upper bound on HTTP/2 connections; null opens more whenever the server's stream limit is reached.</summary>
    [Range(1, 1000)]
    public int? MaxConnections { get; set; }

    /// <summary><c>apns-priority</c>: 10 immediate, 5 power-aware, 1 lowest.</summary>
    [AllowedValues(10, 5, 1)]
    public int DefaultPriority { get; set; } = 10;

    /// <summary>How long APNs stores an undelivered push (<c>apns-expiration</c> = now + this; zero = deliver once or drop).</summary>
    public TimeSpan Expiration { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Retries after 429/5xx/connection failures before answering <see cref="PushResult.RetryLater"/>.</summary>
    [Range(0, 10)]
    public int MaxRetries { get; set; } = 2;

    /// <summary>First back-off delay; doubles per attempt, jittered.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Longest wait before a retry; a longer Retry-After ends the attempts with <see cref="PushResult.RetryLater"/>.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Pushes in flight in <see cref="ApnsClient.SendManyAsync"/> unless the caller says otherwise.</summary>
    [Range(1, 10_000)]
    public int MaxParallel { get; set; } = 256;

    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>APNs wants connections reused for hours; idle ones close after this.</summary>
    public TimeSpan ConnectionIdleTimeout { get; set; } = TimeSpan.FromHours(1);

    /// <summary>HTTP/2 PING interval, which also keeps NAT and load-balancer idle timers from dropping the connection.</summary>
    public TimeSpan KeepAlivePingDelay { get; set; } = TimeSpan.FromMinutes(1);
}
