using System.Text.Json.Serialization;

namespace ManagedDistribution.Features.LocationTokens;

/// <summary>What a location token is good for right now (GET /api/vpp/tokens).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TokenHealth>))]
public enum TokenHealth
{
    /// <summary>Not checked yet, or Apple could not be reached on the last check.</summary>
    [JsonStringEnumMemberName("unknown")] Unknown,
    [JsonStringEnumMemberName("valid")] Valid,
    /// <summary>Valid, but expires within <see cref="LocationTokensOptions.ExpiringWithin"/> (30 days).</summary>
    [JsonStringEnumMemberName("expiring")] Expiring,
    /// <summary>9621: download a new token from Apple School/Business Manager.</summary>
    [JsonStringEnumMemberName("expired")] Expired,
    /// <summary>9625.</summary>
    [JsonStringEnumMemberName("revoked")] Revoked,
    /// <summary>9601: Apple does not know the token.</summary>
    [JsonStringEnumMemberName("invalid")] Invalid,
    /// <summary>Apple's mdmInfo names another MDM: writes to this location stop.</summary>
    [JsonStringEnumMemberName("usedByAnotherMdm")] UsedByAnotherMdm,
}

public static class TokenHealthRules
{
    /// <summary>Whether licenses of the location may be assigned or revoked (R4 and the mdmInfo rule).</summary>
    public static bool AllowsWrites(this TokenHealth health) => health is TokenHealth.Valid or TokenHealth.Expiring or TokenHealth.Unknown;

    public static TokenHealth FromExpiry(DateTimeOffset? expiresOn, DateTimeOffset now, TimeSpan expiringWithin) =>
        expiresOn is not { } expires ? TokenHealth.Valid
        : expires <= now ? TokenHealth.Expired
        : expires - now <= expiringWithin ? TokenHealth.Expiring
        : TokenHealth.Valid;
}
