namespace ManagedDistribution.Features.LocationTokens;

/// <summary><c>sToken</c>: the Base64 file content downloaded from Apple School/Business Manager.
/// <c>takeOver</c>: claim a location another MDM manages (only one MDM should manage a location).</summary>
public sealed record InstallTokenRequest(string? SToken, bool? TakeOver);

public sealed record OtherMdmDto(string Id, string Name);

public sealed record TokenNotificationsDto(string? Url, bool Registered, string? Error);

/// <summary>
/// An installed location token, without the token: organisation, location, expiry and health
/// (<c>valid</c>, <c>expiring</c> within 30 days, <c>expired</c>, <c>revoked</c>, <c>invalid</c>,
/// <c>usedByAnotherMdm</c>, <c>unknown</c>). <c>tokenFingerprint</c> tells downloads apart.
/// </summary>
public sealed record LocationTokenDto(
    string Id, string? OrganizationName, string? LocationName, string? CountryCode, DateTimeOffset? ExpiresOn,
    TokenHealth Health, DateTimeOffset? HealthCheckedAt, string? HealthDetail, OtherMdmDto? OtherMdm,
    TokenNotificationsDto Notifications, string TokenFingerprint, DateTimeOffset InstalledAt, int? CatalogItems, string? CatalogError)
{
    public static LocationTokenDto From(LocationTokenRecord r, int? catalogItems = null, string? catalogError = null) => new(
        r.UId, r.OrganizationName, r.LocationName, r.CountryCode, r.ExpiresOn, r.Health, r.HealthCheckedAt, r.HealthDetail,
        r.OtherMdm is { } other ? new OtherMdmDto(other.Id, other.Name) : null,
        new TokenNotificationsDto(r.NotificationUrl, r.NotificationsRegistered, r.NotificationError),
        r.Fingerprint, r.InstalledAt, catalogItems, catalogError);
}
