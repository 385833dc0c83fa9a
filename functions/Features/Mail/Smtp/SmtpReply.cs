namespace ManagedDistribution.Features.Mail.Smtp;

/// <summary>One SMTP reply (RFC 5321 §4.2): a three-digit code and one or more text lines.</summary>
readonly record struct SmtpReply(int Code, IReadOnlyList<string> Lines)
{
    /// <summary>421: the server is closing the connection (RFC 5321 §3.8).</summary>
    public const int ServiceClosing = 421;

    public string Text => string.Join(" ", Lines);

    /// <summary>The outcome when the server refused <paramref name="step"/>: 4xx transient, anything else permanent.</summary>
    public MailResult Refusal(string step)
    {
        var reason = $"SMTP {step} refused: {Code} {Truncate(Text, 300)}";
        return Code is >= 400 and < 500 ? new MailResult.RetryLater(reason) : new MailResult.Failed(reason);
    }

    static string Truncate(string text, int length) => text.Length <= length ? text : text[..length] + "…";
}

/// <summary>
/// A step of the SMTP dialogue was refused or cannot go on; carries the outcome for the message.
/// Thrown and caught inside the SMTP provider only.
/// </summary>
sealed class SmtpRefusedException(MailResult result, bool connectionUsable) : Exception(result.ToString())
{
    public MailResult Result { get; } = result;

    /// <summary>False when the connection must be dropped (handshake failures, 421).</summary>
    public bool ConnectionUsable { get; } = connectionUsable;

    public static SmtpRefusedException From(SmtpReply reply, string step, bool connectionUsable = true) =>
        new(reply.Refusal(step), connectionUsable && reply.Code != SmtpReply.ServiceClosing);

    public static SmtpRefusedException Permanent(string reason) => new(new MailResult.Failed(reason), connectionUsable: false);
}
