using System.Buffers.Text;
using System.Text;
using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Devices.Admin;

/// <summary>
/// The admin API's opaque continuation token: the table's next partition and row key, base64url.
/// Clients pass it back verbatim; anything else is refused as a bad request.
/// </summary>
public static class PageTokens
{
    public static string? Encode(TableContinuationToken? token) => token is null ? null
        : Base64Url.EncodeToString(Encoding.UTF8.GetBytes(token.NextPartitionKey + "\n" + token.NextRowKey));

    public static bool TryDecode(string? text, out TableContinuationToken? token)
    {
        token = null;
        if (string.IsNullOrEmpty(text)) return true;
        try
        {
            var parts = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(text)).Split('\n');
            if (parts.Length != 2 || parts[0].Length == 0) return false;
            token = new TableContinuationToken(parts[0], parts[1].Length == 0 ? null : parts[1]);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
