namespace ManagedDistribution.Features.Mail;

/// <summary>
/// Mail log events. Messages appear by id and recipient domain only: never the full address,
/// never a body, never an API key or password.
/// </summary>
static partial class MailLog
{
    [LoggerMessage(1, LogLevel.Debug, "Mail {MessageId} to @{RecipientDomain} sent via {Provider}")]
    public static partial void Sent(ILogger logger, string provider, string messageId, string recipientDomain);

    [LoggerMessage(2, LogLevel.Warning, "Mail {MessageId} to @{RecipientDomain} via {Provider} to be retried: {Reason}")]
    public static partial void RetryLater(ILogger logger, string provider, string messageId, string recipientDomain, string reason);

    [LoggerMessage(3, LogLevel.Warning, "Mail {MessageId} to @{RecipientDomain} via {Provider} failed: {Reason}")]
    public static partial void Failed(ILogger logger, string provider, string messageId, string recipientDomain, string reason);

    [LoggerMessage(4, LogLevel.Debug, "Mail {MessageId} via {Provider}: {Reason}; retry {Attempt} in {Delay}")]
    public static partial void Retrying(ILogger logger, string provider, string messageId, string reason, int attempt, TimeSpan delay);

    [LoggerMessage(5, LogLevel.Information, "Outbound mail uses {Provider}: {Target}")]
    public static partial void Configured(ILogger logger, string provider, string target);

    /// <summary>Logs the outcome and hands it back, so senders can <c>return MailLog.Outcome(...)</c>.</summary>
    public static MailResult Outcome(ILogger logger, string provider, string messageId, MailMessage message, MailResult result)
    {
        var domain = message.To.Address[(message.To.Address.LastIndexOf('@') + 1)..];
        switch (result)
        {
            case MailResult.Sent: Sent(logger, provider, messageId, domain); break;
            case MailResult.RetryLater retry: RetryLater(logger, provider, messageId, domain, retry.Reason); break;
            case MailResult.Failed failed: Failed(logger, provider, messageId, domain, failed.Reason); break;
        }
        return result;
    }
}
