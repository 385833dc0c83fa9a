using System.Buffers.Text;
using System.Text;
using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Platform.Workflows;

/// <summary>Table continuation ↔ the opaque <c>continuationToken</c> clients pass back (base64url).</summary>
public static class PageTokens
{
    const char Separator = '\u001f';

    public static string? Encode(TableContinuationToken? token) => token is null
        ? null
        : Base64Url.EncodeToString(Encoding.UTF8.GetBytes(token.NextPartitionKey + Separator + token.NextRowKey));

    /// <summary>Whether <see cref="Decode"/> accepts the token (null and empty do).</summary>
    public static bool IsValid(string? token)
    {
        try { Decode(token); return true; }
        catch (FormatException) { return false; }
    }

    /// <summary>Null for null/empty; <see cref="FormatException"/> for anything we did not hand out.</summary>
    public static TableContinuationToken? Decode(string? token)
    {
        if (string.IsNullOrEmpty(token)) return null;
        string text;
        try { text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token)); }
        catch (FormatException) { throw new FormatException("The continuation token is not valid."); }
        var separator = text.IndexOf(Separator);
        if (separator <= 0) throw new FormatException("The continuation token is not valid.");
        var rowKey = text[(separator + 1)..];
        return new TableContinuationToken(text[..separator], rowKey.Length == 0 ? null : rowKey);
    }
}
