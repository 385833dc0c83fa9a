using System.Text;

namespace ManagedDistribution.Features.Mail.Mime;

/// <summary>
/// Header fields as RFC 5322 wants them on the wire: ASCII only, folded near 78 characters,
/// non-ASCII text as RFC 2047 encoded-words (<c>=?utf-8?B?…?=</c>, at most 75 characters each,
/// never splitting a character). Line breaks in values become spaces, so no value can inject a header.
/// </summary>
static class HeaderEncoding
{
    const int MaxLineLength = 78;
    // 75 (RFC 2047 §2) minus "=?utf-8?B?" and "?=": 63, rounded down to whole base64 quanta.
    const int MaxEncodedBytes = 60 / 4 * 3;
    const string Specials = "()<>[]:;@\\,.\"";

    /// <summary>An unstructured field such as <c>Subject</c>.</summary>
    public static string Unstructured(string name, string value)
    {
        var clean = Clean(value);
        return Fold(name, IsPlainAscii(clean) ? clean.Split(' ') : EncodedWords(clean, FirstLineRoom(name)));
    }

    /// <summary>A single-mailbox field such as <c>From</c> or <c>To</c>.</summary>
    public static string Mailbox(string name, Mailbox mailbox)
    {
        var address = "<" + mailbox.Address + ">";
        var displayName = Clean(mailbox.DisplayName ?? "").Trim();
        if (displayName.Length == 0) return Fold(name, [mailbox.Address]);
        return Fold(name, [.. Phrase(displayName, FirstLineRoom(name)), address]);
    }

    /// <summary>A field whose value is already a single ASCII token (Message-ID, Date, MIME-Version).</summary>
    public static string Raw(string name, string value) => name + ": " + value;

    static IEnumerable<string> Phrase(string displayName, int firstLineRoom)
    {
        if (!IsPlainAscii(displayName)) return EncodedWords(displayName, firstLineRoom);
        if (displayName.IndexOfAny(Specials.ToCharArray()) < 0) return displayName.Split(' ');
        return ["\"" + displayName.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\""];
    }

    /// <summary>
    /// Base64 encoded-words of whole UTF-8 characters; adjacent words decode without the space
    /// between them. The first word is kept short enough to share the line with the field name
    /// when <paramref name="firstLineRoom"/> allows at least one character.
    /// </summary>
    public static IEnumerable<string> EncodedWords(string text, int firstLineRoom = MaxLineLength)
    {
        var chunk = new StringBuilder();
        var chunkBytes = 0;
        var firstBytes = (firstLineRoom - 12) / 4 * 3;
        var limit = firstBytes >= 4 ? Math.Min(firstBytes, MaxEncodedBytes) : MaxEncodedBytes;
        foreach (var rune in text.EnumerateRunes())
        {
            if (chunkBytes + rune.Utf8SequenceLength > limit && chunkBytes > 0)
            {
                yield return EncodedWord(chunk.ToString());
                chunk.Clear();
                chunkBytes = 0;
                limit = MaxEncodedBytes;
            }
            chunk.Append(rune.ToString());
            chunkBytes += rune.Utf8SequenceLength;
        }
        if (chunk.Length > 0) yield return EncodedWord(chunk.ToString());
    }

    /// <summary>Characters left on the first line after <c>Name: </c>.</summary>
    static int FirstLineRoom(string name) => MaxLineLength - name.Length - 2;

    static string EncodedWord(string text) => "=?utf-8?B?" + Convert.ToBase64String(Encoding.UTF8.GetBytes(text)) + "?=";

    /// <summary>Joins words with single spaces, breaking the line before a word that would pass 78 characters.</summary>
    static string Fold(string name, IEnumerable<string> words)
    {
        var result = new StringBuilder();
        var line = new StringBuilder(name).Append(':');
        foreach (var word in words)
        {
            // An empty word (two spaces in a row) stays on the line: a folded line may not be only
            // whitespace. Breaking before the first word is allowed (the field body may start with FWS).
            // Never twice in a row: a word longer than a line gets a line of its own.
            if (word.Length > 0 && line.Length > 0 && line.Length + 1 + word.Length > MaxLineLength)
            {
                result.Append(line).Append("\r\n");
                line.Clear();
            }
            line.Append(' ').Append(word);
        }
        return result.Append(line).ToString();
    }

    static string Clean(string value)
    {
        var builder = new StringBuilder(value.Length);
        foreach (var c in value) builder.Append(char.IsControl(c) ? ' ' : c);
        return builder.ToString();
    }

    // "=?" in plain text would be read as the start of an encoded-word, so such text is encoded too.
    static bool IsPlainAscii(string value) =>
        !value.Contains("=?", StringComparison.Ordinal) && value.All(c => c is >= ' ' and <= '~');
}
