using System.Buffers.Text;
using System.Text;
using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Directory;

/// <summary>
/// HTTP entity tags for directory resources (RFC 9110 §8.8.3): a strong tag wrapping the table
/// ETag (base64url), so clients can send it back in If-Match and the store can compare it with
/// the row's version. A tag we did not issue simply never matches.
/// </summary>
public static class HttpETags
{
    public static string Format(ETag etag) => $"\"{Base64Url.EncodeToString(Encoding.UTF8.GetBytes(etag.ToString()))}\"";

    public static void Set(HttpResponse response, ETag etag)
    {
        if (!etag.IsEmpty) response.Headers.ETag = Format(etag);
    }

    /// <summary>The table ETag an If-Match / If-None-Match value stands for: <see cref="ETag.All"/> for "*", null when absent.</summary>
    public static ETag? Parse(string? header)
    {
        if (string.IsNullOrWhiteSpace(header)) return null;
        var value = header.Trim();
        if (value == "*") return ETag.All;
        if (value.StartsWith("W/", StringComparison.Ordinal)) value = value[2..];
        value = value.Trim('"');
        try
        {
            return new ETag(Encoding.UTF8.GetString(Base64Url.DecodeFromChars(value)));
        }
        catch (FormatException)
        {
            return new ETag("unmatchable:" + value);
        }
    }
}
