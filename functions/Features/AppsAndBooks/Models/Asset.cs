namespace ManagedDistribution.Features.AppsAndBooks.Models;

/// <summary>A licensed app or book with its counts.
/// See https://developer.apple.com/documentation/devicemanagement/responseasset</summary>
public sealed record Asset
{
    public const string App = "App";
    public const string Book = "Book";

    public string AdamId { get => field ?? ""; init; }
    public string PricingParam { get => field ?? AssetKey.Standard; init; }

    /// <summary><c>App</c> or <c>Book</c>.</summary>
    public string ProductType { get => field ?? ""; init; }

    /// <summary>Total licenses; int32 max (2147483647) for unlimited free assets.</summary>
    public int TotalCount { get; init; }
    public int AssignedCount { get; init; }
    public int AvailableCount { get; init; }
    public int RetiredCount { get; init; }
    public bool DeviceAssignable { get; init; }
    public bool Revocable { get; init; }
    public IReadOnlyList<string> SupportedPlatforms { get => field ?? []; init; }

    public AssetKey Key => new(AdamId, PricingParam);
}

/// <summary>One page of Get Assets.
/// See https://developer.apple.com/documentation/devicemanagement/get-assets-4ski1</summary>
public sealed record GetAssetsResponse : PagedResponse
{
    public IReadOnlyList<Asset> Assets { get => field ?? []; init; }
}
