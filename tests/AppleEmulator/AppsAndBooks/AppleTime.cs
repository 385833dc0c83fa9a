using System.Globalization;

namespace ManagedDistribution.AppleEmulator.AppsAndBooks;

/// <summary>Apple's timestamp form, e.g. <c>2030-11-08T22:33:22+0000</c>.</summary>
public static class AppleTime
{
    public static string Format(DateTimeOffset value) =>
        value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture) + "+0000";
}
