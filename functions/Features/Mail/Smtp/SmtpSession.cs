using System.Net.Sockets;
using ManagedDistribution.Features.Mail.Mime;

namespace ManagedDistribution.Features.Mail.Smtp;

/// <summary>
/// Sends messages one after another over one SMTP connection, opened on first use and reopened
/// after a connection failure. Each message is one transaction (MAIL FROM, RCPT TO, DATA); a
/// refused transaction is reset (RSET) and the connection reused. Disposing says QUIT.
/// </summary>
sealed class SmtpSession(SmtpSender sender) : IMailSession
{
    const string ProviderName = nameof(MailProvider.Smtp);

    SmtpConnection? connection;

    public async Task<MailResult> SendAsync(MailMessage message, CancellationToken cancellationToken)
    {
        if (MessageRules.Problem(message) is { } problem) return new MailResult.Failed(problem);
        var id = MessageRules.IdFor(message);
        return MailLog.Outcome(sender.Logger, ProviderName, id, message, await TrySendAsync(message, id, cancellationToken));
    }

    async Task<MailResult> TrySendAsync(MailMessage message, string id, CancellationToken cancellationToken)
    {
        try
        {
            if (sender.ConfigurationProblem is { } configurationProblem) return new MailResult.Failed(configurationProblem);
            connection ??= await SmtpHandshake.OpenAsync(sender.Options, sender.TrustedCa, cancellationToken);
            return await TransactAsync(connection, message, id, cancellationToken);
        }
        catch (SmtpRefusedException e)
        {
            if (e.ConnectionUsable) await ResetAsync(cancellationToken);
            else await DropAsync();
            return e.Result;
        }
        catch (Exception e) when (e is IOException or SocketException
                                  || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            await DropAsync();
            var reason = e is OperationCanceledException ? $"no answer within {sender.Options.TimeoutSeconds} s" : e.Message;
            return new MailResult.RetryLater($"SMTP server {sender.Options.Host}:{sender.Options.Port} unreachable: {reason}");
        }
    }

    async Task<MailResult> TransactAsync(SmtpConnection connection, MailMessage message, string id, CancellationToken cancellationToken)
    {
        var from = sender.From;
        var reply = await connection.CommandAsync($"MAIL FROM:<{from.Address}>", cancellationToken);
        if (reply.Code != 250) throw SmtpRefusedException.From(reply, "MAIL FROM");
        reply = await connection.CommandAsync($"RCPT TO:<{message.To.Address}>", cancellationToken);
        if (reply.Code is not (250 or 251)) throw SmtpRefusedException.From(reply, "RCPT TO");
        reply = await connection.CommandAsync("DATA", cancellationToken);
        if (reply.Code != 354) throw SmtpRefusedException.From(reply, "DATA");
        var content = MimeWriter.Write(message, from, MessageRules.MessageIdHeader(id, from), sender.TimeProvider.GetUtcNow());
        reply = await connection.SendDataAsync(content, cancellationToken);
        // After the final dot the transaction is over either way; no RSET needed.
        if (reply.Code != 250) return reply.Code == SmtpReply.ServiceClosing ? await DropAndReturn(reply) : reply.Refusal("message");
        return new MailResult.Sent(id);
    }

    async Task<MailResult> DropAndReturn(SmtpReply reply)
    {
        await DropAsync();
        return reply.Refusal("message");
    }

    async Task ResetAsync(CancellationToken cancellationToken)
    {
        if (connection is null) return;
        try
        {
            if ((await connection.CommandAsync("RSET", cancellationToken)).Code == 250) return;
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException) { }
        await DropAsync();
    }

    async Task DropAsync()
    {
        if (connection is null) return;
        await connection.DisposeAsync();
        connection = null;
    }

    public async ValueTask DisposeAsync()
    {
        if (connection is null) return;
        try
        {
            await connection.CommandAsync("QUIT", CancellationToken.None);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException) { }
        await DropAsync();
    }
}
