using ManagedDistribution.Features.Mail.Mime;
using Microsoft.Extensions.Options;

namespace ManagedDistribution.Features.Mail.Pickup;

/// <summary>
/// Writes each message as an RFC 5322 <c>.eml</c> file into a pickup folder (the default locally;
/// nothing leaves the machine). One file per message id, written to a temporary name and renamed
/// into place, so a reader never sees half a message and re-sending an id replaces its file.
/// </summary>
sealed class PickupSender : IMailSender
{
    const string ProviderName = nameof(MailProvider.Pickup);

    readonly MailOptions options;
    readonly Mailbox from;
    readonly TimeProvider timeProvider;
    readonly ILogger<PickupSender> logger;
    /// <summary>Temporary names: this process's random prefix and a counter, no GUID per send.</summary>
    static readonly string TemporaryPrefix = Guid.NewGuid().ToString("N")[..12];
    static long temporaries;

    public PickupSender(IOptions<MailOptions> options, IHostEnvironment environment, TimeProvider timeProvider, ILogger<PickupSender> logger)
    {
        this.options = options.Value;
        from = new Mailbox(this.options.From, this.options.FromName);
        Directory = Path.GetFullPath(Path.Combine(environment.ContentRootPath, this.options.PickupDirectory));
        this.timeProvider = timeProvider;
        this.logger = logger;
    }

    /// <summary>Absolute path of the pickup folder.</summary>
    public string Directory { get; }

    /// <summary>The file a message id is written to.</summary>
    public string PathFor(string messageId) => Path.Combine(Directory, messageId + ".eml");

    /// <summary>
    /// Writes synchronously: a pickup write is a few syscalls on a local disk, and an asynchronous
    /// file handle only adds a thread-pool hop per write (on Linux it is a blocking call on another
    /// thread). <see cref="SendManyAsync"/> runs the writes on a few pool threads.
    /// </summary>
    public Task<MailResult> SendAsync(MailMessage message, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Send(message));
    }

    MailResult Send(MailMessage message)
    {
        if (MessageRules.Problem(message) is { } problem) return new MailResult.Failed(problem);
        var id = MessageRules.IdFor(message);
        var bytes = MimeWriter.Write(message, from, MessageRules.MessageIdHeader(id, from), timeProvider.GetUtcNow());
        // Dot-prefixed and not .eml, so a pickup reader ignores it until the rename; unique per process and send.
        var temporary = Path.Combine(Directory, $".{id}.{TemporaryPrefix}{Interlocked.Increment(ref temporaries):x}.tmp");
        try
        {
            try { WriteNew(temporary, bytes); }
            catch (DirectoryNotFoundException)
            {
                System.IO.Directory.CreateDirectory(Directory); // created on first use, or again after someone removed it
                WriteNew(temporary, bytes);
            }
            File.Move(temporary, PathFor(id), overwrite: true);
            return MailLog.Outcome(logger, ProviderName, id, message, new MailResult.Sent(id));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
            MailResult result = e is UnauthorizedAccessException
                ? new MailResult.Failed($"Cannot write to the pickup folder {Directory}: {e.Message}")
                : new MailResult.RetryLater($"Writing to the pickup folder failed: {e.Message}");
            return MailLog.Outcome(logger, ProviderName, id, message, result);
        }
    }

    /// <summary>A new file (CreateNew: no truncate), written in one call.</summary>
    static void WriteNew(string path, byte[] bytes)
    {
        using var handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
        RandomAccess.Write(handle, bytes, 0);
    }

    /// <summary>Pickup writes are CPU and disk bound: more workers than cores only queue up in the kernel.</summary>
    public Task<IReadOnlyList<MailResult>> SendManyAsync(IReadOnlyList<MailMessage> messages, int? maxParallel = null,
        CancellationToken cancellationToken = default) =>
        MailBatch.SendManyAsync(messages, Math.Min(maxParallel ?? options.MaxParallel, Math.Max(2, Environment.ProcessorCount)),
            () => MailBatch.Stateless(SendAsync), cancellationToken);

    static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
