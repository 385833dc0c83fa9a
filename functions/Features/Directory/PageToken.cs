using System.Buffers.Text;
using System.Text;

namespace ManagedDistribution.Features.Directory;

/// <summary>
/// The opaque continuation token of directory listings: base64url of the last row key handed out
/// (or scanned), so the next page is the range query <c>RowKey gt last</c>. Unlike the service's own
/// continuation headers this also resumes a filtered scan in the middle of a storage page, and it
/// stays valid whatever the service does with its page boundaries.
/// </summary>
public static class PageToken
{
    const string Version = "1:";

    public static string Encode(string lastRowKey) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(Version + lastRowKey));

    /// <summary>The row key to continue after; false when the token is not one of ours.</summary>
    public static bool TryDecode(string? token, out string? after)
    {
        after = null;
        if (string.IsNullOrEmpty(token)) return true;
        try
        {
            var text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token));
            if (!text.StartsWith(Version, StringComparison.Ordinal)) return false;
            after = text[Version.Length..];
            return after.Length > 0;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
