namespace ManagedDistribution.Features.Mail;

/// <summary>
/// A unit that sends messages one after another and may keep state between them (SMTP: the open
/// connection). Disposing ends it (SMTP: QUIT).
/// </summary>
interface IMailSession : IAsyncDisposable
{
    Task<MailResult> SendAsync(MailMessage message, CancellationToken cancellationToken);
}

/// <summary>Bounded-parallel sending shared by the providers: N workers, each with its own session, pull the next message.</summary>
static class MailBatch
{
    public static async Task<IReadOnlyList<MailResult>> SendManyAsync(IReadOnlyList<MailMessage> messages, int maxParallel,
        Func<IMailSession> openSession, CancellationToken cancellationToken)
    {
        var results = new MailResult[messages.Count];
        if (messages.Count == 0) return results;
        var next = -1;
        async Task Worker()
        {
            await using var session = openSession();
            for (int i; (i = Interlocked.Increment(ref next)) < messages.Count;)
                results[i] = await session.SendAsync(messages[i], cancellationToken);
        }
        var workers = Math.Clamp(maxParallel, 1, messages.Count);
        await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(Worker, cancellationToken)));
        return results;
    }

    /// <summary>A session for providers without per-connection state: each message is one independent send.</summary>
    public static IMailSession Stateless(Func<MailMessage, CancellationToken, Task<MailResult>> send) => new StatelessSession(send);

    sealed class StatelessSession(Func<MailMessage, CancellationToken, Task<MailResult>> send) : IMailSession
    {
        public Task<MailResult> SendAsync(MailMessage message, CancellationToken cancellationToken) => send(message, cancellationToken);
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
