namespace ManagedDistribution.Platform.Hosting;

/// <summary>
/// Handles one message of a queue function, whichever mode delivered it (Functions host or the
/// standalone listener). Throwing fails the attempt: the message is retried after the retry delay
/// and moves to <c>&lt;queue&gt;-poison</c> after the fifth attempt. Never delete the trigger
/// message yourself, and make handling idempotent: delivery is at least once.
/// Resolved from a fresh DI scope per invocation.
/// </summary>
public interface IQueueHandler
{
    Task HandleAsync(QueueInvocation invocation, CancellationToken cancellationToken);
}

/// <summary>
/// Runs at each occurrence of a timer function's NCRONTAB schedule (UTC). A failure is logged and
/// not retried; the next occurrence is the next attempt (as with the Functions timer trigger).
/// </summary>
public interface ITimerHandler
{
    Task HandleAsync(TimerInvocation invocation, CancellationToken cancellationToken);
}
