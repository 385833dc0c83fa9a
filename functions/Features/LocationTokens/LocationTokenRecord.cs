using ManagedDistribution.Features.AppsAndBooks.Models;
using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.LocationTokens;

/// <summary>
/// One installed location (table <c>vpptokens</c>, partition <c>location</c>, row = Apple's
/// <c>uId</c>: a few rows, read whole). <see cref="ProtectedToken"/> is the encrypted sToken and
/// never leaves the store; the notification token is kept only as a hash (plus the previous one,
/// so notifications already in flight at a re-install still pass).
/// </summary>
public sealed record LocationTokenRecord
{
    public const string Partition = "location";

    public required string UId { get; init; }
    public required string ProtectedToken { get; init; }
    public required string Fingerprint { get; init; }
    public string? OrganizationName { get; init; }
    public string? LocationName { get; init; }
    public string? CountryCode { get; init; }
    public DateTimeOffset? ExpiresOn { get; init; }
    public DateTimeOffset InstalledAt { get; init; }
    public TokenHealth Health { get; init; }
    public DateTimeOffset? HealthCheckedAt { get; init; }
    public string? HealthDetail { get; init; }
    public MdmInfo? OtherMdm { get; init; }
    public string? NotificationUrl { get; init; }
    public string? NotificationTokenHash { get; init; }
    public string? PreviousNotificationTokenHash { get; init; }
    public bool NotificationsRegistered { get; init; }
    public string? NotificationError { get; init; }
    public ETag ETag { get; init; }

    public TableEntity ToEntity()
    {
        var e = new TableEntity(Partition, Licenses.LicenseKeys.SafeKey(UId))
        {
            ["UId"] = UId,
            ["ProtectedToken"] = ProtectedToken, ["Fingerprint"] = Fingerprint, ["InstalledAt"] = InstalledAt,
            ["Health"] = Health.ToString(), ["NotificationsRegistered"] = NotificationsRegistered,
        };
        void Set(string name, object? value) { if (value is not null) e[name] = value; }
        Set("OrganizationName", OrganizationName);
        Set("LocationName", LocationName);
        Set("CountryCode", CountryCode);
        Set("ExpiresOn", ExpiresOn);
        Set("HealthCheckedAt", HealthCheckedAt);
        Set("HealthDetail", HealthDetail);
        Set("OtherMdmId", OtherMdm?.Id);
        Set("OtherMdmName", OtherMdm?.Name);
        Set("NotificationUrl", NotificationUrl);
        Set("NotificationTokenHash", NotificationTokenHash);
        Set("PreviousNotificationTokenHash", PreviousNotificationTokenHash);
        Set("NotificationError", NotificationError);
        return e;
    }

    public static LocationTokenRecord Read(TableEntity e) => new()
    {
        UId = e.GetString("UId") ?? e.RowKey,
        ProtectedToken = e.GetString("ProtectedToken") ?? "",
        Fingerprint = e.GetString("Fingerprint") ?? "",
        OrganizationName = e.GetString("OrganizationName"),
        LocationName = e.GetString("LocationName"),
        CountryCode = e.GetString("CountryCode"),
        ExpiresOn = e.GetDateTimeOffset("ExpiresOn"),
        InstalledAt = e.GetDateTimeOffset("InstalledAt") ?? DateTimeOffset.MinValue,
        Health = Enum.TryParse<TokenHealth>(e.GetString("Health"), out var health) ? health : TokenHealth.Unknown,
        HealthCheckedAt = e.GetDateTimeOffset("HealthCheckedAt"),
        HealthDetail = e.GetString("HealthDetail"),
        OtherMdm = e.GetString("OtherMdmId") is { } id ? new MdmInfo(id, e.GetString("OtherMdmName") ?? "", "") : null,
        NotificationUrl = e.GetString("NotificationUrl"),
        NotificationTokenHash = e.GetString("NotificationTokenHash"),
        PreviousNotificationTokenHash = e.GetString("PreviousNotificationTokenHash"),
        NotificationsRegistered = e.GetBoolean("NotificationsRegistered") ?? false,
        NotificationError = e.GetString("NotificationError"),
        ETag = e.ETag,
    };
}
