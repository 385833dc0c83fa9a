using ManagedDistribution.Platform.Storage;
using Microsoft.Extensions.Options;

namespace ManagedDistribution.Platform.Hosting;

/// <summary>
/// Standalone queue trigger for one <see cref="QueueFunction"/>, following the Functions queue
/// extension (contracts/azure.md §1.10): batch receive, up to BatchSize + NewBatchThreshold
/// messages in flight, lease renewal while a handler runs, delete on success, retry after
/// <see cref="HostingOptions.RetryDelay"/> on failure, and after <see cref="HostingOptions.MaxDequeueCount"/>
/// attempts a copy to <c>&lt;queue&gt;-poison</c>. Not started under the Functions host.
/// </summary>
sealed partial class QueueListener(
    QueueFunction function,
    QueueServiceClient queues,
    FunctionInvoker invoker,
    FunctionsHostEnvironment host,
    IOptions<HostingOptions> options,
    TimeProvider time,
    ILogger<QueueListener> logger) : TriggerService(host, options)
{
    /// <summary>Settling (delete, release, poison) must not hang shutdown when storage is away.</summary>
    static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(10);

    readonly QueueClient queue = queues.GetQueueClient(function.QueueName);
    readonly QueueClient poison = queues.GetQueueClient(function.PoisonQueueName);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!RunsTriggers) return;
        var backoff = new PollingBackoff(Options.MinPollingInterval, Options.MaxPollingInterval);
        if (!await EnsureQueuesAsync(backoff, stoppingToken)) return;
        LogListening(function.Name, queue.Name);

        var inFlight = new List<Task>();
        while (!stoppingToken.IsCancellationRequested)
        {
            inFlight.RemoveAll(t => t.IsCompleted);
            if (inFlight.Count > Options.NewBatchThreshold)
            {
                try { await Task.WhenAny(inFlight).WaitAsync(stoppingToken); }
                catch (OperationCanceledException) { break; }
                continue;
            }
            var batch = await ReceiveAsync(Math.Min(Options.BatchSize, Options.MaxConcurrentMessages - inFlight.Count));
            if (batch is not { Count: > 0 })
            {
                await DelayAsync(backoff.Next(), time, stoppingToken);
                continue;
            }
            backoff.Reset();
            inFlight.AddRange(batch.Select(message => Task.Run(() => ProcessAsync(message), CancellationToken.None)));
        }
        await Task.WhenAll(inFlight);
    }

    async Task<bool> EnsureQueuesAsync(PollingBackoff backoff, CancellationToken stoppingToken)
    {
        while (true)
        {
            try
            {
                await queue.CreateIfNotExistsAsync(stoppingToken);
                await poison.CreateIfNotExistsAsync(stoppingToken);
                return true;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { return false; }
            catch (Exception e) { LogStorageUnavailable(e, function.Name, queue.Name); }
            if (!await DelayAsync(backoff.Next(), time, stoppingToken)) return false;
        }
    }

    /// <summary>
    /// Not cancelled by the stopping token: a receive abandoned mid-flight would hide its messages
    /// for a whole lease. Only the shutdown deadline cuts it short.
    /// </summary>
    async Task<IReadOnlyList<QueueMessage>?> ReceiveAsync(int count)
    {
        try { return await queue.ReceiveMessagesAsync(count, Options.LeaseDuration, AbortToken); }
        catch (OperationCanceledException) when (AbortToken.IsCancellationRequested) { return null; }
        catch (Exception e)
        {
            LogStorageUnavailable(e, function.Name, queue.Name);
            return null;
        }
    }

    async Task ProcessAsync(QueueMessage message)
    {
        try
        {
            if (message.DequeueCount > Options.MaxDequeueCount)
            {
                // Attempts that crashed the process never reached the failure path below.
                await SettleAsync(message, message.PopReceipt, Outcome.Failed);
                return;
            }
            var lease = MessageLease.Start(queue, message, Options.LeaseDuration, time, logger);
            var outcome = await InvokeAsync(message);
            await lease.StopAsync();
            await SettleAsync(message, lease.PopReceipt, outcome);
        }
        catch (Exception e)
        {
            // The lease runs out and the message comes back: at-least-once, never lost.
            LogSettleFailed(e, function.Name, message.MessageId);
        }
    }

    async Task<Outcome> InvokeAsync(QueueMessage message)
    {
        var invocation = new QueueInvocation(function.Name, Guid.NewGuid().ToString(), message.Text, message.DequeueCount,
            message.MessageId, message.InsertionTime);
        try
        {
            await invoker.InvokeAsync(function, invocation, AbortToken);
            return Outcome.Succeeded;
        }
        catch (OperationCanceledException) when (AbortToken.IsCancellationRequested) { return Outcome.Abandoned; }
        catch (Exception) { return Outcome.Failed; } // logged by the invoker
    }

    async Task SettleAsync(QueueMessage message, string popReceipt, Outcome outcome)
    {
        using var timeout = new CancellationTokenSource(SettleTimeout);
        var ct = timeout.Token;
        switch (outcome)
        {
            case Outcome.Succeeded:
                await queue.DeleteMessageAsync(message.MessageId, popReceipt, ct);
                break;
            case Outcome.Abandoned:
                await queue.UpdateVisibilityAsync(message.MessageId, popReceipt, TimeSpan.Zero, ct);
                LogReleased(function.Name, message.MessageId);
                break;
            case Outcome.Failed when message.DequeueCount >= Options.MaxDequeueCount:
                await poison.SendMessageAsync(message.Text, cancellationToken: ct);
                await queue.DeleteMessageAsync(message.MessageId, popReceipt, ct);
                LogPoisoned(function.Name, message.MessageId, poison.Name, message.DequeueCount);
                break;
            case Outcome.Failed:
                await queue.UpdateVisibilityAsync(message.MessageId, popReceipt, Options.RetryDelay, ct);
                break;
        }
    }

    enum Outcome { Succeeded, Failed, Abandoned }

    [LoggerMessage(LogLevel.Information, "{FunctionName} listening on queue {QueueName}")]
    partial void LogListening(string functionName, string queueName);

    [LoggerMessage(LogLevel.Warning, "{FunctionName} cannot reach queue {QueueName}; backing off")]
    partial void LogStorageUnavailable(Exception exception, string functionName, string queueName);

    [LoggerMessage(LogLevel.Warning, "{FunctionName} moved message {MessageId} to {PoisonQueueName} after {DequeueCount} attempts")]
    partial void LogPoisoned(string functionName, string messageId, string poisonQueueName, long dequeueCount);

    [LoggerMessage(LogLevel.Information, "{FunctionName} released unfinished message {MessageId} at shutdown")]
    partial void LogReleased(string functionName, string messageId);

    [LoggerMessage(LogLevel.Warning, "{FunctionName} could not settle message {MessageId}; it reappears when its lease expires")]
    partial void LogSettleFailed(Exception exception, string functionName, string messageId);
}
