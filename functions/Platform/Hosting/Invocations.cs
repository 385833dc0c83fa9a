namespace ManagedDistribution.Platform.Hosting;

/// <summary>One delivery of a queue message to a <see cref="IQueueHandler"/>.</summary>
/// <param name="MessageText">The decoded message text (the JSON the sender enqueued).</param>
/// <param name="DequeueCount">1 on the first attempt; the fifth failed attempt sends the message to the poison queue.</param>
public sealed record QueueInvocation(
    string FunctionName,
    string InvocationId,
    string MessageText,
    long DequeueCount,
    string? MessageId,
    DateTimeOffset? InsertionTime);

/// <summary>One occurrence of a timer function.</summary>
/// <param name="IsPastDue">The run is later than scheduled (missed occurrences, a long previous run, or host downtime).</param>
/// <param name="ScheduleStatus">Last/next occurrence bookkeeping; null when the host does not monitor the schedule.</param>
public sealed record TimerInvocation(
    string FunctionName,
    string InvocationId,
    DateTimeOffset ScheduledTime,
    bool IsPastDue,
    TimerScheduleStatus? ScheduleStatus);

/// <summary>Mirrors the Functions <c>TimerInfo.ScheduleStatus</c>.</summary>
public sealed record TimerScheduleStatus(DateTimeOffset? Last, DateTimeOffset? Next, DateTimeOffset? LastUpdated);
