using System.Text;
using System.Text.Json;

namespace ManagedDistribution.Features.Mail.SendGrid;

/// <summary>
/// The JSON body of <c>POST /v3/mail/send</c>
/// (https://www.twilio.com/docs/sendgrid/api-reference/mail-send/mail-send): one personalization
/// with the recipient, the sender, the subject, text/plain then text/html content (SendGrid wants
/// that order), our Message-ID and extra headers, and the id again as a custom argument so it
/// shows up in SendGrid's event webhooks. Pure.
/// </summary>
static class SendGridPayload
{
    public static byte[] Serialize(MailMessage message, Mailbox from, string messageId, string messageIdHeader)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteStartArray("personalizations");
            json.WriteStartObject();
            json.WriteStartArray("to");
            WriteAddress(json, message.To);
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndArray();
            json.WritePropertyName("from");
            WriteAddress(json, from);
            json.WriteString("subject", SingleLine(message.Subject));
            json.WriteStartArray("content");
            WriteContent(json, "text/plain", message.TextBody);
            WriteContent(json, "text/html", message.HtmlBody);
            json.WriteEndArray();
            json.WriteStartObject("headers");
            json.WriteString("Message-ID", messageIdHeader);
            foreach (var (name, value) in message.Headers) json.WriteString(name, SingleLine(value));
            json.WriteEndObject();
            json.WriteStartObject("custom_args");
            json.WriteString("message_id", messageId);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return stream.ToArray();
    }

    static void WriteAddress(Utf8JsonWriter json, Mailbox mailbox)
    {
        json.WriteStartObject();
        json.WriteString("email", mailbox.Address);
        if (!string.IsNullOrWhiteSpace(mailbox.DisplayName)) json.WriteString("name", SingleLine(mailbox.DisplayName));
        json.WriteEndObject();
    }

    static void WriteContent(Utf8JsonWriter json, string type, string value)
    {
        json.WriteStartObject();
        json.WriteString("type", type);
        json.WriteString("value", value);
        json.WriteEndObject();
    }

    static string SingleLine(string value)
    {
        var builder = new StringBuilder(value.Length);
        foreach (var c in value) builder.Append(char.IsControl(c) ? ' ' : c);
        return builder.ToString();
    }

    /// <summary>
    /// The messages from an error body <c>{"errors":[{"message":…,"field":…}]}</c>, joined; the
    /// start of the body when it is something else.
    /// </summary>
    public static string ErrorText(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty) return "(no body)";
        try
        {
            using var document = JsonDocument.Parse(body.ToArray());
            if (document.RootElement.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array)
            {
                var messages = errors.EnumerateArray().Select(ErrorOf).Where(m => m.Length > 0).ToList();
                if (messages.Count > 0) return Truncate(string.Join("; ", messages));
            }
        }
        catch (JsonException) { }
        return Truncate(Encoding.UTF8.GetString(body));
    }

    static string ErrorOf(JsonElement error)
    {
        if (error.ValueKind != JsonValueKind.Object) return "";
        var message = error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() ?? "" : "";
        return error.TryGetProperty("field", out var f) && f.ValueKind == JsonValueKind.String && f.GetString() is { Length: > 0 } field
            ? $"{message} ({field})"
            : message;
    }

    static string Truncate(string text) => text.Length <= 500 ? text : text[..500] + "…";
}
