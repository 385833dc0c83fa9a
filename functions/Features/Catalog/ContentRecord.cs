using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Catalog;

/// <summary>
/// A catalogue row (table <c>content</c>). All rows share partition <c>content</c>, keyed by the
/// content id: a catalogue holds thousands of items at most, lists page in id order, and a
/// purchased item's id (<c>vpp-{uId}-{adamId}-{pricingParam}</c>) is also its ledger partition in
/// <c>licenses</c>, so the counts are one point read away.
/// </summary>
public static class ContentRecord
{
    public const string Partition = "content";
    public const string App = "app";
    public const string Book = "book";
    public const string Internal = "internal";
    public const string Vpp = "vpp";

    public static string VppId(string locationUId, string adamId, string pricingParam) => $"vpp-{locationUId}-{adamId}-{pricingParam}";

    public static string NewInternalId(string type) => $"{type}-{Guid.NewGuid():N}"[..(type.Length + 17)];

    public static ContentDto ToDto(TableEntity e, LicenseCountsDto? licenses) => new(
        e.RowKey, e.GetString("Type") ?? App, e.GetString("Source") ?? Internal, e.GetString("Name"), Platforms(e),
        e.GetString("BundleId"), e.GetString("ManifestUrl"), e.GetString("MediaUrl"), e.GetString("Kind"), e.GetString("PersistentId"),
        e.GetString("Version"), e.GetString("LocationUId"), e.GetString("AdamId"), e.GetString("PricingParam"), e.GetString("ProductType"),
        e.GetBoolean("DeviceAssignable"), e.GetBoolean("Revocable"), licenses,
        e.GetDateTimeOffset("CreatedAt") ?? DateTimeOffset.MinValue, e.GetDateTimeOffset("UpdatedAt") ?? DateTimeOffset.MinValue);

    public static IReadOnlyList<string> Platforms(TableEntity e) =>
        (e.GetString("Platforms") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries);

    public static bool IsVpp(TableEntity e) => e.GetString("Source") == Vpp;
}
