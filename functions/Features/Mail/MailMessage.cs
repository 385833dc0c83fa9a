namespace ManagedDistribution.Features.Mail;

/// <summary>An address with an optional display name (RFC 5322 §3.4 <c>mailbox</c>). Addresses are ASCII.</summary>
public sealed record Mailbox(string Address, string? DisplayName = null)
{
    public override string ToString() => string.IsNullOrEmpty(DisplayName) ? Address : $"{DisplayName} <{Address}>";
}

/// <summary>
/// One outbound mail to one recipient, with a plain-text and an HTML alternative.
/// <see cref="MessageId"/> is the idempotency key: the same id always means the same mail, so
/// the pickup provider overwrites rather than duplicates, and a retry can be recognised.
/// </summary>
public sealed record MailMessage(Mailbox To, string Subject, string TextBody, string HtmlBody)
{
    /// <summary>
    /// Stable id, e.g. <c>invitation-{campaign}-{user}</c>; becomes the <c>Message-ID</c> header
    /// (<c>&lt;id@sender-domain&gt;</c> unless it already has an <c>@</c>). Null: a new random id per send.
    /// </summary>
    public string? MessageId { get; init; }

    /// <summary>Extra headers (e.g. <c>X-Campaign</c>). Structural headers (From, To, Subject, Date, Message-ID, MIME-*, Content-*) are refused.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();
}

/// <summary>
/// The outcome of one send, as a campaign needs to act on it. A closed set: switch over the
/// nested records.
/// </summary>
public abstract record MailResult
{
    MailResult() { }

    /// <summary>Accepted for delivery (pickup file written, SMTP 250 after DATA, SendGrid 202).</summary>
    public sealed record Sent(string MessageId) : MailResult;

    /// <summary>Transient: SMTP 4xx, SendGrid 429/5xx after the bounded retries, no connection. <paramref name="After"/> is the server's hint, if any.</summary>
    public sealed record RetryLater(string Reason, TimeSpan? After = null) : MailResult;

    /// <summary>Permanent: SMTP 5xx, SendGrid 4xx, an invalid message or a configuration problem; retrying the same mail won't help.</summary>
    public sealed record Failed(string Reason) : MailResult;
}

/// <summary>Sends outbound mail through the configured <see cref="MailProvider"/>. Singleton, thread-safe.</summary>
public interface IMailSender
{
    /// <summary>Sends one message. Expected failures come back as <see cref="MailResult"/> values, not exceptions.</summary>
    Task<MailResult> SendAsync(MailMessage message, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sends many messages with at most <paramref name="maxParallel"/> (default
    /// <see cref="MailOptions.MaxParallel"/>) in flight; SMTP reuses each connection for several
    /// messages. The results are in the order of <paramref name="messages"/>.
    /// </summary>
    Task<IReadOnlyList<MailResult>> SendManyAsync(IReadOnlyList<MailMessage> messages, int? maxParallel = null,
        CancellationToken cancellationToken = default);
}
