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
        var lines = text.ReplaceLineEndings("\n").Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (i > 0) output.Append("\r\n");
            EncodeLine(Encoding.UTF8.GetBytes(lines[i]), output);
        }
        return output.ToString();
    }

    static void EncodeLine(byte[] bytes, StringBuilder output)
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
