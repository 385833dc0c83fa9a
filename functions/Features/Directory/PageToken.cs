using System.Buffers.Text;
using System.Text;

namespace ManagedDistribution.Features.Directory;

/// <summary>Where a listing stopped: the keys of the last row handed out (or scanned).</summary>
public readonly record struct PagePosition(string PartitionKey, string RowKey);

/// <summary>
/// The opaque continuation token of directory listings: base64url of the last row's keys, so the
/// next page is the range query "after these keys". Unlike the service's own continuation headers
/// this also resumes a filtered scan in the middle of a storage page, and stays valid whatever the
/// service does with its page boundaries. Directory keys never contain '|'.
/// </summary>
public static class PageToken
{
    const string Version = "1";

    public static string Encode(PagePosition position) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{Version}|{position.PartitionKey}|{position.RowKey}"));

    /// <summary>The position to continue after (null: from the start); false when the token is not one of ours.</summary>
    public static bool TryDecode(string? token, out PagePosition? after)
    {
        after = null;
        if (string.IsNullOrEmpty(token)) return true;
        try
        {
            var parts = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token)).Split('|');
            if (parts is not [Version, { Length: > 0 } partitionKey, { Length: > 0 } rowKey]) return false;
            after = new PagePosition(partitionKey, rowKey);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
