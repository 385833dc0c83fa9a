namespace ManagedDistribution.Features.Mail.Mime;

/// <summary>
/// Checks shared by every provider before anything is sent, and the message-id conventions:
/// the id doubles as a file name and as the left part of the <c>Message-ID</c> header.
/// </summary>
static class MessageRules
{
    const int MaxMessageIdLength = 200;
    const string AddressForbidden = " <>()[]\\,;:\"";

    /// <summary>Why the message cannot be sent, or null when it can.</summary>
    public static string? Problem(MailMessage message)
    {
        if (!IsValidAddress(message.To.Address)) return "The recipient address is not a valid ASCII e-mail address.";
        if (message.MessageId is { } id && !IsValidMessageId(id))
            return $"Message id must be 1–{MaxMessageIdLength} characters of letters, digits and . _ - + = with at most one @.";
        foreach (var name in message.Headers.Keys)
        {
            if (name.Length == 0 || !name.All(c => c is > ' ' and <= '~' and not ':'))
                return $"Header name '{name}' is not a valid field name.";
            if (MimeWriter.ReservedHeaders.Contains(name)) return $"Header '{name}' is set by the mail layer and cannot be overridden.";
        }
        return null;
    }

    /// <summary>Plain <c>local@domain</c> in ASCII (no SMTPUTF8), at most 254 characters.</summary>
    public static bool IsValidAddress(string? address)
    {
        if (string.IsNullOrEmpty(address) || address.Length > 254) return false;
        var at = address.LastIndexOf('@');
        if (at <= 0 || at == address.Length - 1 || address.IndexOf('@') != at) return false;
        return address.All(c => c is > ' ' and <= '~' && !AddressForbidden.Contains(c));
    }

    public static bool IsValidMessageId(string id) =>
        id.Length is > 0 and <= MaxMessageIdLength
        && id.Count(c => c == '@') <= 1
        && id[0] != '.' && id[^1] != '.' && id[0] != '@' && id[^1] != '@'
        && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '+' or '=' or '@');

    /// <summary>The id to use for this send: the caller's, or a new random one.</summary>
    public static string IdFor(MailMessage message) => message.MessageId ?? Guid.NewGuid().ToString("N");

    /// <summary><c>&lt;id@domain-of-sender&gt;</c>, or <c>&lt;id&gt;</c> when the id already names a domain.</summary>
    public static string MessageIdHeader(string id, Mailbox from) =>
        id.Contains('@') ? $"<{id}>" : $"<{id}@{from.Address[(from.Address.LastIndexOf('@') + 1)..]}>";
}
