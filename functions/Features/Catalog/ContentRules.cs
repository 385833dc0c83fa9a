using System.Text.RegularExpressions;
using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Catalog;

/// <summary>Validation of internal content (R1: internal books are iOS only; apps on iOS and macOS).</summary>
public static partial class ContentRules
{
    public static readonly IReadOnlyList<string> AppPlatforms = ["iOS", "macOS"];
    public static readonly IReadOnlyList<string> BookKinds = ["pdf", "epub", "ibooks"];

    /// <summary>The row to store, or the field errors.</summary>
    public static (TableEntity? Row, Dictionary<string, string[]> Errors) Validate(ContentInput input, DateTimeOffset now)
    {
        var errors = new Dictionary<string, string[]>();
        void Error(string field, string message) => errors[field] = [message];
        var type = input.Type?.Trim().ToLowerInvariant();
        if (type is not (ContentRecord.App or ContentRecord.Book)) Error("type", "Must be 'app' or 'book'.");
        var name = input.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > 256) Error("name", "Required, at most 256 characters.");
        if (input.Version is { Length: > 64 }) Error("version", "At most 64 characters.");
        var row = new TableEntity(ContentRecord.Partition, ContentRecord.NewInternalId(type ?? "x"))
        {
            ["Type"] = type ?? "", ["Source"] = ContentRecord.Internal, ["Name"] = name ?? "", ["CreatedAt"] = now, ["UpdatedAt"] = now,
        };
        if (input.Version is { Length: > 0 } version) row["Version"] = version;
        if (type == ContentRecord.App) ValidateApp(input, row, Error);
        if (type == ContentRecord.Book) ValidateBook(input, row, Error);
        return errors.Count == 0 ? (row, errors) : (null, errors);
    }

    static void ValidateApp(ContentInput input, TableEntity row, Action<string, string> error)
    {
        if (input.BundleId is not { Length: <= 155 } bundleId || !ReverseDns().IsMatch(bundleId)) error("bundleId", "Required: a reverse-DNS bundle identifier such as com.example.app.");
        else row["BundleId"] = bundleId;
        if (HttpsUrl(input.ManifestUrl) is not { } manifest) error("manifestUrl", "Required: an absolute https URL of the app's manifest plist.");
        else row["ManifestUrl"] = manifest;
        var platforms = (input.Platforms ?? []).Select(p => AppPlatforms.FirstOrDefault(k => k.Equals(p?.Trim(), StringComparison.OrdinalIgnoreCase))).ToList();
        if (platforms.Count == 0 || platforms.Any(p => p is null)) error("platforms", "Required: one or more of iOS, macOS.");
        else row["Platforms"] = string.Join(',', platforms.Distinct());
        if (input.MediaUrl is not null || input.Kind is not null) error("mediaUrl", "Only books have a mediaUrl and kind.");
    }

    static void ValidateBook(ContentInput input, TableEntity row, Action<string, string> error)
    {
        if (HttpsUrl(input.MediaUrl) is not { } media) error("mediaUrl", "Required: an absolute https URL of the book file.");
        else row["MediaUrl"] = media;
        var kind = (input.Kind ?? Path.GetExtension(new Uri(HttpsUrl(input.MediaUrl) ?? "https://x/").AbsolutePath).TrimStart('.')).ToLowerInvariant();
        if (!BookKinds.Contains(kind)) error("kind", "Must be pdf, epub or ibooks (or follow from the mediaUrl's extension).");
        else row["Kind"] = kind;
        if (input.Platforms is { Count: > 0 } platforms && platforms.Any(p => !"iOS".Equals(p?.Trim(), StringComparison.OrdinalIgnoreCase)))
            error("platforms", "Internal books install on iOS and iPadOS only (R1).");
        row["Platforms"] = "iOS";
        if (input.PersistentId is { } persistentId && (persistentId.Length > 155 || !ReverseDns().IsMatch(persistentId)))
            error("persistentId", "A reverse-DNS identifier such as com.example.book.");
        row["PersistentId"] = input.PersistentId ?? "com.manageddistribution.book." + row.RowKey;
        if (input.BundleId is not null || input.ManifestUrl is not null) error("bundleId", "Only apps have a bundleId and manifestUrl.");
    }

    static string? HttpsUrl(string? value) =>
        Uri.TryCreate(value?.Trim(), UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps && !string.IsNullOrEmpty(uri.Host) && value!.Length <= 2048
            ? uri.AbsoluteUri : null;

    [GeneratedRegex(@"^[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)+$")]
    private static partial Regex ReverseDns();
}
