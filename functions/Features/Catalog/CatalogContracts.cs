namespace ManagedDistribution.Features.Catalog;

/// <summary>
/// An internal app (<c>type: app</c>: name, bundleId, manifestUrl, platforms) or internal book
/// (<c>type: book</c>: name, mediaUrl, kind pdf|epub|ibooks, optional persistentId).
/// </summary>
public sealed record ContentInput(
    string? Type, string? Name, string? BundleId, string? ManifestUrl, IReadOnlyList<string>? Platforms,
    string? MediaUrl, string? Kind, string? PersistentId, string? Version);

/// <summary>Licenses of a purchased item: available = total − assigned − reserved − external, never negative.</summary>
public sealed record LicenseCountsDto(int Total, int Assigned, int Available, int Reserved, int External);

/// <summary>
/// A catalogue item. <c>source</c> is <c>internal</c> or <c>vpp</c> (purchased through Apps and
/// Books); purchased items carry Apple's identity (<c>locationId</c>, <c>adamId</c>, <c>pricingParam</c>),
/// flags and <c>licenses</c>.
/// </summary>
public sealed record ContentDto(
    string Id, string Type, string Source, string? Name, IReadOnlyList<string> Platforms,
    string? BundleId, string? ManifestUrl, string? MediaUrl, string? Kind, string? PersistentId, string? Version,
    string? LocationId, string? AdamId, string? PricingParam, string? ProductType, bool? DeviceAssignable, bool? Revocable,
    LicenseCountsDto? Licenses, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>What a sync of one location read from Apple.</summary>
public sealed record LocationSyncDto(string LocationId, int Items, string? Error);

public sealed record CatalogSyncDto(IReadOnlyList<LocationSyncDto> Locations);

/// <summary>Who waits for a license, in the order they asked (R17).</summary>
public sealed record WaitingDto(string Owner, int Count, DateTimeOffset RequestedAt);

/// <summary>A purchased item's ledger: counts, what Apple last reported assigned, and the first 100 waiting.</summary>
public sealed record LicenseLedgerDto(LicenseCountsDto Licenses, int AppleAssigned, DateTimeOffset? SyncedAt, int WaitingTotal, IReadOnlyList<WaitingDto> Waiting);
