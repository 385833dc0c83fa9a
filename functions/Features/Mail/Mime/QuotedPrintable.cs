using System.Buffers;
using System.Text;

namespace ManagedDistribution.Features.Mail.Mime;

/// <summary>
/// Quoted-printable body encoding (RFC 2045 §6.7) of UTF-8 text: readable in a pickup file,
/// 7-bit safe for any SMTP server, lines of at most 76 characters, line breaks normalised to CRLF.
/// </summary>
static class QuotedPrintable
{
    const int MaxLineLength = 76;
    const string Hex = "0123456789ABCDEF";

    public static string Encode(string text)
    {
        var output = new StringBuilder(text.Length + text.Length / 8);
        // One UTF-8 buffer for the whole text: a '\n' byte never occurs inside a multi-byte sequence.
        var normalised = text.ReplaceLineEndings("\n");
        var bytes = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(normalised.Length));
        try
        {
            var all = bytes.AsSpan(0, Encoding.UTF8.GetBytes(normalised, bytes));
            for (var first = true; ; first = false)
            {
                if (!first) output.Append("\r\n");
                var end = all.IndexOf((byte)'\n');
                EncodeLine(end < 0 ? all : all[..end], output);
                if (end < 0) break;
                all = all[(end + 1)..];
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
        return output.ToString();
    }

    static void EncodeLine(ReadOnlySpan<byte> bytes, StringBuilder output)
    {
        var lineLength = 0;
        for (var i = 0; i < bytes.Length; i++)
        {
            var b = bytes[i];
            var isLast = i == bytes.Length - 1;
            // Trailing spaces would be stripped in transit (rule 3); '=' and non-ASCII must be escaped.
            var literal = b is >= 33 and <= 126 and not (byte)'=' || (b is (byte)' ' or (byte)'\t' && !isLast);
            var tokenLength = literal ? 1 : 3;
            // Leave room for the soft break "=" unless this token ends the line.
            var room = isLast ? MaxLineLength : MaxLineLength - 1;
            if (lineLength + tokenLength > room)
            {
                output.Append("=\r\n");
                lineLength = 0;
            }
            if (literal) output.Append((char)b);
            else output.Append('=').Append(Hex[b >> 4]).Append(Hex[b & 0xF]);
            lineLength += tokenLength;
        }
    }
}
