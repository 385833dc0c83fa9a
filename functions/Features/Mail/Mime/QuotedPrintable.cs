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
        // One UTF-8 buffer for the whole text: a '\n' byte never occurs inside a multi-byte sequence.
        // The output goes into one char buffer (at most 3 chars per byte, a 3-char soft break per
        // 73 chars, "\r\n" per '\n'), not char by char into a StringBuilder: every invitation mail
        // encodes two parts, and this was ~15 % of a mail campaign's app CPU.
        var normalised = text.ReplaceLineEndings("\n");
        var bytes = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(normalised.Length));
        char[]? chars = null;
        try
        {
            var all = bytes.AsSpan(0, Encoding.UTF8.GetBytes(normalised, bytes));
            chars = ArrayPool<char>.Shared.Rent(4 * all.Length + 16);
            var length = 0;
            for (var first = true; ; first = false)
            {
                if (!first) length = Put(chars, length, '\r', '\n');
                var end = all.IndexOf((byte)'\n');
                length = EncodeLine(end < 0 ? all : all[..end], chars, length);
                if (end < 0) break;
                all = all[(end + 1)..];
            }
            return new string(chars, 0, length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
            if (chars is not null) ArrayPool<char>.Shared.Return(chars);
        }
    }

    /// <summary>Appends one line's encoding at <paramref name="length"/>; returns the new length.</summary>
    static int EncodeLine(ReadOnlySpan<byte> bytes, char[] output, int length)
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
                length = Put(output, length, '=', '\r', '\n');
                lineLength = 0;
            }
            if (literal) output[length++] = (char)b;
            else length = Put(output, length, '=', Hex[b >> 4], Hex[b & 0xF]);
            lineLength += tokenLength;
        }
        return length;
    }

    static int Put(char[] output, int length, char a, char b)
    {
        output[length] = a;
        output[length + 1] = b;
        return length + 2;
    }

    static int Put(char[] output, int length, char a, char b, char c)
    {
        output[length] = a;
        output[length + 1] = b;
        output[length + 2] = c;
        return length + 3;
    }
}
