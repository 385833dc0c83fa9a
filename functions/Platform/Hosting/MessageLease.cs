using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Platform.Hosting;

/// <summary>
/// Keeps a received message invisible while its handler runs by renewing the visibility at
/// half-time, and tracks the newest pop receipt (each Update Message invalidates the previous one).
/// Like the Functions listener, which renews its 10-minute visibility for the whole execution.
/// </summary>
sealed partial class MessageLease
{
    readonly QueueClient queue;
    readonly string messageId;
    readonly TimeSpan duration;
    readonly TimeProvider time;
    readonly ILogger logger;
    readonly CancellationTokenSource stop = new();
    readonly Task renewing;
    string popReceipt;

    MessageLease(QueueClient queue, QueueMessage message, TimeSpan duration, TimeProvider time, ILogger logger)
    {
        this.queue = queue;
        messageId = message.MessageId;
        popReceipt = message.PopReceipt;
        this.duration = duration;
        this.time = time;
        this.logger = logger;
        renewing = Task.Run(RenewAsync);
    }

    public string PopReceipt => Volatile.Read(ref popReceipt);

    public static MessageLease Start(QueueClient queue, QueueMessage message, TimeSpan duration, TimeProvider time, ILogger logger) =>
        new(queue, message, duration, time, logger);

    /// <summary>Stops renewing; waits for a renewal in progress so <see cref="PopReceipt"/> is final.</summary>
    public async Task StopAsync()
    {
        await stop.CancelAsync();
        await renewing;
        stop.Dispose();
    }

    async Task RenewAsync()
    {
        while (true)
        {
            try { await Task.Delay(duration / 2, time, stop.Token); }
            catch (OperationCanceledException) { return; }
            try
            {
                // Not cancellable: abandoning a sent update would leave us holding a stale pop receipt.
                var receipt = await queue.UpdateVisibilityAsync(messageId, PopReceipt, duration, CancellationToken.None);
                Volatile.Write(ref popReceipt, receipt.PopReceipt);
            }
            catch (StorageRequestFailedException e) when (e.IsNotFound || e.ErrorCode == "PopReceiptMismatch")
            {
                LogLost(queue.Name, messageId, e.ErrorCode);
                return;
            }
            catch (Exception e)
            {
                LogRenewalFailed(e, queue.Name, messageId);
            }
        }
    }

    [LoggerMessage(LogLevel.Warning, "Lost the lease on message {MessageId} in {QueueName} ({ErrorCode}); it may be handled twice")]
    partial void LogLost(string queueName, string messageId, string? errorCode);

    [LoggerMessage(LogLevel.Warning, "Could not renew the lease on message {MessageId} in {QueueName}; will retry")]
    partial void LogRenewalFailed(Exception exception, string queueName, string messageId);
}
