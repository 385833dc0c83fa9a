using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ManagedDistribution.Features.AppsAndBooks.Models;

/// <summary>
/// Apple's timestamps: ISO-8601 with a colon-less offset, e.g. <c>2030-11-08T22:33:22+0000</c>.
/// Parsing is tolerant (also accepts <c>+00:00</c>, <c>Z</c> and fractions) because a bad date
/// must never fail a whole response.
/// </summary>
public static class AppleDateTime
{
    public static bool TryParse(string? text, out DateTimeOffset value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var s = text.Trim();
        // "+0000" → "+00:00": the colon-less form is not one .NET parses reliably.
        if (s.Length > 5 && (s[^5] == '+' || s[^5] == '-') && char.IsDigit(s[^4]) && char.IsDigit(s[^1]))
            s = s[..^2] + ":" + s[^2..];
        return DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out value);
    }

    public static string Format(DateTimeOffset value)
    {
        var utc = value.ToUniversalTime();
        return utc.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture) + "+0000";
    }
}

/// <summary>Reads and writes <see cref="AppleDateTime"/>; unreadable values become null.</summary>
public sealed class AppleDateTimeConverter : JsonConverter<DateTimeOffset?>
{
    public override DateTimeOffset? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String) return null;
        return AppleDateTime.TryParse(reader.GetString(), out var value) ? value : null;
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset? value, JsonSerializerOptions options)
    {
        if (value is { } v) writer.WriteStringValue(AppleDateTime.Format(v));
        else writer.WriteNullValue();
    }
}
