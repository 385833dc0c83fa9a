using ManagedDistribution.Features.Catalog;
using ManagedDistribution.Features.Devices.Protocol;
using ManagedDistribution.Features.Devices.Registry;
using ManagedDistribution.Platform.Http;
using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Assignments;

/// <summary>What kind of content an assignment delivers; decides license, eligibility and command.</summary>
public enum ContentKind { InternalApp, InternalBook, VppApp, VppBook }

/// <summary>A refusal: the problem code answered and the reason shown to the admin.</summary>
public sealed record Refusal(ProblemType Problem, string Reason);

/// <summary>
/// The device rules of DESIGN.md, without I/O: R3 (enrolled), R1/R7 (who may receive what, OS
/// minimums) and R6 (internal apps always install automatically). Token (R4) and licenses (R5)
/// need storage and are checked by <see cref="DeviceAssignments"/>.
/// </summary>
public static class AssignmentRules
{
    /// <summary>R1: purchased apps need OS X 10.11 on Macs and iOS 9 on iOS/iPadOS devices.</summary>
    public static readonly Version MacVppMinimum = new(10, 11);
    public static readonly Version IosVppMinimum = new(9, 0);

    public static ContentKind KindOf(TableEntity content) => (ContentRecord.IsVpp(content), content.GetString("Type")) switch
    {
        (true, ContentRecord.Book) => ContentKind.VppBook,
        (true, _) => ContentKind.VppApp,
        (false, ContentRecord.Book) => ContentKind.InternalBook,
        _ => ContentKind.InternalApp,
    };

    /// <summary>R6: internal apps always install automatically; otherwise the requested mode (default automatic).</summary>
    public static string EffectiveMode(ContentKind kind, string? requested) =>
        kind == ContentKind.InternalApp ? InstallModes.Automatic : requested ?? InstallModes.Automatic;

    /// <summary>The first rule the device breaks for this content, or null when it may receive it.</summary>
    public static Refusal? CheckDevice(DeviceRecord device, TableEntity content)
    {
        if (!device.IsEnrolled)
            return new(ProblemCodes.NotEnrolled, $"The device is {device.EnrollmentState}, not enrolled (R3).");
        var kind = KindOf(content);
        if (kind == ContentKind.VppBook)
            return NotEligible("Purchased books are assigned to users only, never to devices (R1, R7).");
        var family = FamilyOf(device.Platform);
        if (family is null)
            return NotEligible($"Content can be assigned to Macs and iOS/iPadOS devices only; this device is {device.Platform}.");
        if (kind == ContentKind.InternalBook && family != "iOS")
            return NotEligible("Internal books can be assigned to iOS/iPadOS devices only, not to Macs (R1, R7).");
        var platforms = ContentRecord.Platforms(content);
        if (platforms.Count > 0 && !platforms.Contains(family, StringComparer.OrdinalIgnoreCase))
            return NotEligible($"The content supports {string.Join(", ", platforms)}, not {family}.");
        if (kind == ContentKind.VppApp) return CheckVppApp(device, content, family);
        return null;
    }

    static Refusal? CheckVppApp(DeviceRecord device, TableEntity content, string family)
    {
        if (content.GetBoolean("DeviceAssignable") != true)
            return NotEligible("Apple does not allow this app to be assigned to devices (not device-assignable).");
        if (string.IsNullOrEmpty(device.SerialNumber))
            return NotEligible("The device has not reported its serial number, which Apple needs for a device license.");
        var minimum = family == "macOS" ? MacVppMinimum : IosVppMinimum;
        var version = DevicePlatforms.ParseOSVersion(device.OSVersion);
        if (version is null)
            return NotEligible($"The device has not reported its OS version; purchased apps need {family} {minimum} or later (R1).");
        if (version < minimum)
            return NotEligible($"OS too old: purchased apps need {family} {minimum} or later; the device runs {device.OSVersion} (R1).");
        return null;
    }

    /// <summary>"iOS" for iPhones and iPads, "macOS" for Macs, null for anything else.</summary>
    public static string? FamilyOf(string? platform) => platform switch
    {
        nameof(DevicePlatform.iOS) or nameof(DevicePlatform.iPadOS) => "iOS",
        nameof(DevicePlatform.macOS) => "macOS",
        _ => null,
    };

    static Refusal NotEligible(string reason) => new(ProblemCodes.NotEligible, reason);
}
