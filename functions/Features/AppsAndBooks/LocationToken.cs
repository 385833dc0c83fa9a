using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ManagedDistribution.Features.AppsAndBooks.Models;

namespace ManagedDistribution.Features.AppsAndBooks;

/// <summary>
/// An Apps and Books location token (sToken): the Base64 string an admin downloads from Apple
/// School/Business Manager. It is sent verbatim as the bearer credential; decoding it only shows
/// the organisation and expiry before first use. <see cref="ToString"/> never reveals it.
/// See https://developer.apple.com/documentation/devicemanagement/getting-started-with-the-management-api
/// </summary>
public readonly struct LocationToken : IEquatable<LocationToken>
{
    readonly string? value;

    LocationToken(string value, LocationTokenPayload? payload)
    {
        this.value = value;
        OrganizationName = payload?.OrgName;
        LocationId = payload?.Token;
        ExpiresOn = AppleDateTime.TryParse(payload?.ExpDate, out var expires) ? expires : null;
    }

    /// <summary>The raw sToken, for the Authorization header only. Never log it.</summary>
    public string Value => value ?? throw new InvalidOperationException("Empty location token.");

    /// <summary><c>orgName</c> from the decoded token, if it decoded.</summary>
    public string? OrganizationName { get; }

    /// <summary>The opaque <c>token</c> field (location id) from the decoded token, if it decoded.</summary>
    public string? LocationId { get; }

    /// <summary><c>expDate</c> from the decoded token, if it decoded.</summary>
    public DateTimeOffset? ExpiresOn { get; }

    /// <summary>Whether the token decoded to Apple's <c>{token, expDate, orgName}</c> JSON.</summary>
    public bool IsDecoded => LocationId is not null;

    /// <summary>Wraps an sToken; decoding is best effort, the token is still usable if it fails.</summary>
    public static LocationToken FromString(string sToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sToken);
        var trimmed = sToken.Trim();
        return new LocationToken(trimmed, TryDecode(trimmed));
    }

    /// <summary>Wraps an sToken that must decode (admin input): throws <see cref="FormatException"/> otherwise.</summary>
    public static LocationToken Parse(string sToken)
    {
        var token = FromString(sToken);
        return token.IsDecoded ? token : throw new FormatException("Not an Apps and Books location token (Base64 JSON with token, expDate, orgName).");
    }

    public bool IsExpiredAt(DateTimeOffset now) => ExpiresOn is { } expires && expires <= now;

    /// <summary>A short, stable, non-reversible id for logs and keys (first 12 hex chars of SHA-256).</summary>
    public string Fingerprint => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Value)))[..12];

    public override string ToString() =>
        value is null ? "LocationToken(empty)" : $"LocationToken({OrganizationName ?? "?"}, {Fingerprint}, redacted)";

    public bool Equals(LocationToken other) => string.Equals(value, other.value, StringComparison.Ordinal);
    public override bool Equals(object? obj) => obj is LocationToken other && Equals(other);
    public override int GetHashCode() => value is null ? 0 : StringComparer.Ordinal.GetHashCode(value);
    public static bool operator ==(LocationToken left, LocationToken right) => left.Equals(right);
    public static bool operator !=(LocationToken left, LocationToken right) => !left.Equals(right);

    static LocationTokenPayload? TryDecode(string sToken)
    {
        try
        {
            var bytes = Convert.FromBase64String(sToken);
            var payload = JsonSerializer.Deserialize(bytes, AppsAndBooksJson.Default.LocationTokenPayload);
            return payload?.Token is null ? null : payload;
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return null;
        }
    }
}
