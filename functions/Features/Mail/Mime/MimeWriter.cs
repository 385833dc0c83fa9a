using System.Globalization;
using System.Text;

namespace ManagedDistribution.Features.Mail.Mime;

/// <summary>
/// Writes a message as RFC 5322 text with a MIME multipart/alternative body (RFC 2046 §5.1.4):
/// the plain-text part first, the HTML part last (the one clients prefer). Both parts are UTF-8,
/// quoted-printable, so the whole message is 7-bit ASCII with CRLF line ends. Pure: no I/O.
/// </summary>
static class MimeWriter
{
    /// <summary>Header names the writer owns; a caller's extra header may not replace them.</summary>
    public static readonly IReadOnlySet<string> ReservedHeaders = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "From", "To", "Cc", "Bcc", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type", "Content-Transfer-Encoding",
    };

    public static byte[] Write(MailMessage message, Mailbox from, string messageIdHeader, DateTimeOffset date)
    {
        // "=_" never occurs in quoted-printable output, so the boundary cannot collide with the parts.
        var boundary = "=_md_" + Guid.NewGuid().ToString("N");
        var text = new StringBuilder();
        AppendHeader(text, HeaderEncoding.Mailbox("From", from));
        AppendHeader(text, HeaderEncoding.Mailbox("To", message.To));
        AppendHeader(text, HeaderEncoding.Unstructured("Subject", message.Subject));
        AppendHeader(text, HeaderEncoding.Raw("Date", FormatDate(date)));
        AppendHeader(text, HeaderEncoding.Raw("Message-ID", messageIdHeader));
        AppendHeader(text, HeaderEncoding.Raw("MIME-Version", "1.0"));
        foreach (var (name, value) in message.Headers)
            AppendHeader(text, HeaderEncoding.Unstructured(name, value));
        AppendHeader(text, HeaderEncoding.Raw("Content-Type", $"multipart/alternative;\r\n boundary=\"{boundary}\""));
        text.Append("\r\n");
        AppendPart(text, boundary, "text/plain", message.TextBody);
        AppendPart(text, boundary, "text/html", message.HtmlBody);
        text.Append("--").Append(boundary).Append("--\r\n");
        return Encoding.ASCII.GetBytes(text.ToString());
    }

    /// <summary>RFC 5322 §3.3 date-time in UTC, e.g. <c>Tue, 03 Mar 2026 09:05:00 +0000</c>.</summary>
    public static string FormatDate(DateTimeOffset date) =>
        date.ToUniversalTime().ToString("ddd, dd MMM yyyy HH:mm:ss", CultureInfo.InvariantCulture) + " +0000";

    static void AppendHeader(StringBuilder text, string field) => text.Append(field).Append("\r\n");

    static void AppendPart(StringBuilder text, string boundary, string mediaType, string body)
    {
        text.Append("--").Append(boundary).Append("\r\n");
        text.Append("Content-Type: ").Append(mediaType).Append("; charset=utf-8\r\n");
        text.Append("Content-Transfer-Encoding: quoted-printable\r\n\r\n");
        text.Append(QuotedPrintable.Encode(body)).Append("\r\n");
    }
}
