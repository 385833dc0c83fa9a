using System.Text.RegularExpressions;

namespace ManagedDistribution.Features.Devices.Registry;

/// <summary>
/// Which identifiers a device may present. Device ids (UDID, EnrollmentID) become table keys and URL
/// segments, so they must be URL-safe; user channel ids (a GUID, or a Managed Apple Account on
/// Shared iPad) only need to be valid table keys.
/// </summary>
public static partial class DeviceIds
{
    public static bool IsValidDeviceId(string? id) => id is not null && DeviceId().IsMatch(id);

    public static bool IsValidUserChannelId(string? id) =>
        id is { Length: > 0 and <= 256 } && !id.Any(c => c is '/' or '\\' or '#' or '?' || char.IsControl(c));

    [GeneratedRegex("^[A-Za-z0-9._-]{1,128}$")]
    private static partial Regex DeviceId();
}
