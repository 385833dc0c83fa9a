using System.ComponentModel.DataAnnotations;

namespace ManagedDistribution.Features.LocationTokens;

/// <summary>Settings of the <c>LocationTokens</c> section.</summary>
public sealed class LocationTokensOptions
{
    public const string SectionName = "LocationTokens";

    /// <summary>
    /// Base64 of a 32-byte key that encrypts stored sTokens (AES-GCM). Empty: stored unencrypted
    /// (a warning is logged); set it from Key Vault in every shared deployment.
    /// </summary>
    public string? EncryptionKey { get; set; }

    /// <summary>How long a token's health, checked against Apple's client/config, is reused.</summary>
    public TimeSpan HealthCacheDuration { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>A valid token that expires sooner than this shows as <c>expiring</c>.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "365.00:00:00")]
    public TimeSpan ExpiringWithin { get; set; } = TimeSpan.FromDays(30);
}
