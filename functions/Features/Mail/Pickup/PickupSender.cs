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

    public async Task<MailResult> SendAsync(MailMessage message, CancellationToken cancellationToken = default)
    {
        if (MessageRules.Problem(message) is { } problem) return new MailResult.Failed(problem);
        var id = MessageRules.IdFor(message);
        var bytes = MimeWriter.Write(message, from, MessageRules.MessageIdHeader(id, from), timeProvider.GetUtcNow());
        // Dot-prefixed and not .eml, so a pickup reader ignores it until the rename.
        var temporary = Path.Combine(Directory, $".{id}.{Guid.NewGuid():N}.tmp");
        try
        {
            System.IO.Directory.CreateDirectory(Directory);
            await File.WriteAllBytesAsync(temporary, bytes, cancellationToken);
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
        catch (OperationCanceledException)
        {
            TryDelete(temporary);
            throw;
        }
    }

    public Task<IReadOnlyList<MailResult>> SendManyAsync(IReadOnlyList<MailMessage> messages, int? maxParallel = null,
        CancellationToken cancellationToken = default) =>
        MailBatch.SendManyAsync(messages, maxParallel ?? options.MaxParallel, () => MailBatch.Stateless(SendAsync), cancellationToken);

    static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
