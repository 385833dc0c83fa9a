using System.Text.RegularExpressions;

namespace ManagedDistribution.Features.Devices.Protocol;

/// <summary>The Apple OS family a device runs, as far as its product name tells.</summary>
public enum DevicePlatform
{
    Unknown,
    iOS,
    iPadOS,
    macOS,
    tvOS,
    visionOS,
    watchOS,
}

/// <summary>
/// Derives <see cref="DevicePlatform"/> and OS <see cref="Version"/> from Authenticate's
/// <c>ProductName</c> (<c>iPhone14,2</c>, <c>iPad2,5</c>, <c>iMac14,2</c>, <c>AppleTV11,1</c>,
/// <c>RealityDevice14,1</c>, <c>Watch6,1</c>), <c>Model</c> (macOS) and <c>OSVersion</c>.
/// Unrecognised values give <see cref="DevicePlatform.Unknown"/> / null, never an error.
/// </summary>
public static partial class DevicePlatforms
{
    public static DevicePlatform FromProduct(string? productName, string? model = null) =>
        Classify(productName) is var platform and not DevicePlatform.Unknown ? platform : Classify(model);

    /// <summary>Parses the leading dotted number of <c>OSVersion</c> ("17.4.1", "10.12.6"); null when there is none.</summary>
    public static Version? ParseOSVersion(string? osVersion)
    {
        var match = LeadingVersion().Match(osVersion ?? "");
        if (!match.Success) return null;
        var text = match.Value.Trim();
        text = text.Contains('.') ? text : text + ".0";
        return Version.TryParse(text, out var version) ? version : null;
    }

    static DevicePlatform Classify(string? name) => name switch
    {
        null or "" => DevicePlatform.Unknown,
        _ when name.StartsWith("iPhone", StringComparison.Ordinal) || name.StartsWith("iPod", StringComparison.Ordinal) => DevicePlatform.iOS,
        _ when name.StartsWith("iPad", StringComparison.Ordinal) => DevicePlatform.iPadOS,
        _ when name.StartsWith("AppleTV", StringComparison.Ordinal) => DevicePlatform.tvOS,
        _ when name.StartsWith("RealityDevice", StringComparison.Ordinal) => DevicePlatform.visionOS,
        _ when name.StartsWith("Watch", StringComparison.Ordinal) => DevicePlatform.watchOS,
        // iMac, MacBookPro, Macmini, MacPro, Mac14,2, VirtualMac2,1 (VMs)
        _ when name.Contains("Mac", StringComparison.Ordinal) => DevicePlatform.macOS,
        _ => DevicePlatform.Unknown,
    };

    [GeneratedRegex(@"^\s*\d+(\.\d+){0,3}")]
    private static partial Regex LeadingVersion();
}
