using System.Text;
using ManagedDistribution.Features.Mail;
using ManagedDistribution.Features.Mail.Mime;
using ManagedDistribution.Features.Mail.Smtp;

namespace ManagedDistribution.Tests.Features.Mail;

/// <summary>The pure encoders: header folding and RFC 2047 words, quoted-printable, SMTP dot-stuffing.</summary>
public sealed class MimeEncodingTests
{
    [Fact]
    public void LineBreaksInAHeaderValueCannotStartAnotherHeader()
    {
        var field = HeaderEncoding.Unstructured("Subject", "Hello\r\nBcc: spy@example.org");
        Assert.DoesNotContain("\r\nBcc:", field);
        Assert.Equal("Subject: Hello  Bcc: spy@example.org", field);
    }

    [Fact]
    public void LongNonAsciiSubjectsBecomeFoldedEncodedWordsOfWholeCharacters()
    {
        var subject = string.Concat(Enumerable.Repeat("Uitnodiging één 👍 ", 12));
        var lines = HeaderEncoding.Unstructured("Subject", subject).Split("\r\n");

        Assert.True(lines.Length > 1);
        Assert.All(lines, line => Assert.InRange(line.Length, 1, 78));
        var words = lines.Select(l => l.Replace("Subject:", "").Trim()).ToList();
        Assert.All(words, w => Assert.Matches(@"^=\?utf-8\?B\?[A-Za-z0-9+/=]+\?=$", w));
        // Each word decodes on its own: no character is split across two words.
        var decoded = string.Concat(words.Select(w => new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Convert.FromBase64String(w[10..^2]))));
        Assert.Equal(subject, decoded);
    }

    [Theory]
    [InlineData("Jan Jansen", "To: Jan Jansen <jan@example.nl>")]
    [InlineData("Jansen, Jan", "To: \"Jansen, Jan\" <jan@example.nl>")]
    [InlineData("Jan \"JJ\" Jansen.", "To: \"Jan \\\"JJ\\\" Jansen.\" <jan@example.nl>")]
    [InlineData("", "To: jan@example.nl")]
    [InlineData("Jan =?x?Q?y?= Jansen", "To: =?utf-8?B?SmFuID0/eD9RP3k/PSBKYW5zZW4=?= <jan@example.nl>")]
    public void DisplayNamesAreQuotedOrEncodedAsNeeded(string name, string expected) =>
        Assert.Equal(expected, HeaderEncoding.Mailbox("To", new Mailbox("jan@example.nl", name)));

    [Fact]
    public void QuotedPrintableEscapesWhatMustBeAndKeepsLinesShort()
    {
        var encoded = QuotedPrintable.Encode("a=b é\ttab \n" + new string('x', 200) + "\r\nend ");

        Assert.StartsWith("a=3Db =C3=A9\ttab=20\r\n", encoded);
        Assert.EndsWith("\r\nend=20", encoded);
        Assert.All(encoded.Split("\r\n"), line => Assert.InRange(line.Length, 0, 76));
        Assert.All(encoded, c => Assert.InRange(c, '\t', '~'));
    }

    [Fact]
    public void QuotedPrintableDecodesBackToTheTextWithLinesShortAndNoTrailingBlanks()
    {
        var random = new Random(2045);
        string[] alphabet = ["a", "b", " ", "=", "\t", "\r\n", "\n", ".", "é", "€", "😀", "x", "-", "~", "!"];
        for (var round = 0; round < 300; round++)
        {
            var length = random.Next(0, round < 20 ? 10 : 400);
            var text = new System.Text.StringBuilder();
            while (text.Length < length) text.Append(alphabet[random.Next(alphabet.Length)]);
            var input = text.ToString();
            var encoded = QuotedPrintable.Encode(input);

            Assert.Equal(input.ReplaceLineEndings("\n"), DecodeQuotedPrintable(encoded));
            Assert.All(encoded.Split("\r\n"), line =>
            {
                Assert.InRange(line.Length, 0, 76);
                Assert.False(line.EndsWith(' ') || line.EndsWith('\t'), $"line ends with a blank: '{line}'");
            });
            Assert.All(encoded, c => Assert.True(c is '\t' or '\r' or '\n' || c is >= ' ' and <= '~', $"character {(int)c}"));
        }
    }

    /// <summary>RFC 2045 §6.7 decoding: soft breaks removed, "=XX" to bytes, CRLF to '\n', then UTF-8.</summary>
    static string DecodeQuotedPrintable(string encoded)
    {
        var bytes = new List<byte>();
        for (var i = 0; i < encoded.Length; i++)
        {
            if (encoded[i] == '=' && encoded.AsSpan(i + 1).StartsWith("\r\n")) i += 2;
            else if (encoded[i] == '=') { bytes.Add(Convert.ToByte(encoded.Substring(i + 1, 2), 16)); i += 2; }
            else if (encoded[i] == '\r' && i + 1 < encoded.Length && encoded[i + 1] == '\n') { bytes.Add((byte)'\n'); i++; }
            else bytes.Add((byte)encoded[i]);
        }
        return System.Text.Encoding.UTF8.GetString(bytes.ToArray());
    }

    [Theory]
    [InlineData("a\r\n.b\r\n..c\r\n", "a\r\n..b\r\n...c\r\n.\r\n")]
    [InlineData(".start", "..start\r\n.\r\n")]
    [InlineData("a\r\n.\r\n", "a\r\n..\r\n.\r\n")]
    [InlineData("no dots.\r\n", "no dots.\r\n.\r\n")]
    public void DotStuffingDoublesLeadingDotsAndEndsWithTheTerminator(string content, string expected) =>
        Assert.Equal(expected, Encoding.ASCII.GetString(DotStuffing.Encode(Encoding.ASCII.GetBytes(content))));

    [Theory]
    [InlineData("invitation-42", "<invitation-42@gemeente.example>")]
    [InlineData("abc@mail.example", "<abc@mail.example>")]
    public void MessageIdHeaderUsesTheSendersDomain(string id, string expected) =>
        Assert.Equal(expected, MessageRules.MessageIdHeader(id, new Mailbox("noreply@gemeente.example")));

    [Fact]
    public void DatesAreRfc5322InUtc() =>
        Assert.Equal("Tue, 03 Mar 2026 08:05:09 +0000", MimeWriter.FormatDate(new DateTimeOffset(2026, 3, 3, 9, 5, 9, TimeSpan.FromHours(1))));
}
