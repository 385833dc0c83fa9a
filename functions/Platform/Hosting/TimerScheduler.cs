using Microsoft.Extensions.Options;
using NCrontab;

namespace ManagedDistribution.Platform.Hosting;

/// <summary>
/// Standalone timer trigger for one <see cref="TimerFunction"/>: fires at each occurrence of its
/// 6-field NCRONTAB schedule in UTC (contracts/azure.md §1.11). Runs never overlap; occurrences
/// missed while a run was busy collapse into one late run with <c>IsPastDue</c>. A failed run is
/// logged and the next occurrence still fires. Not started under the Functions host.
/// </summary>
/// <remarks>
/// Unlike the Functions timer there is no cross-instance lock: several standalone instances on
/// one storage account would each fire. Standalone is for local runs and tests, one instance.
/// </remarks>
sealed partial class TimerScheduler(
    TimerFunction function,
    FunctionInvoker invoker,
    IConfiguration configuration,
    FunctionsHostEnvironment host,
    IOptions<HostingOptions> options,
    TimeProvider time,
    ILogger<TimerScheduler> logger) : TriggerService(host, options)
{
    /// <summary>Lateness beyond timer jitter that counts as past due.</summary>
    static readonly TimeSpan PastDueAfter = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!RunsTriggers) return;
        var expression = function.ScheduleFrom(configuration);
        var schedule = TimerFunction.Parse(expression);
        LogScheduled(function.Name, expression);

        DateTimeOffset? last = null;
        var overran = false;
        var scheduled = Next(schedule, time.GetUtcNow());
        while (true)
        {
            for (var wait = scheduled - time.GetUtcNow(); wait > TimeSpan.Zero; wait = scheduled - time.GetUtcNow())
                if (!await DelayAsync(wait, time, stoppingToken)) return;

            var now = time.GetUtcNow();
            var following = Next(schedule, scheduled);
            var invocation = new TimerInvocation(function.Name, Guid.NewGuid().ToString(), scheduled,
                IsPastDue: overran || now - scheduled > PastDueAfter, new TimerScheduleStatus(last, following, now));
            try { await invoker.InvokeAsync(function, invocation, AbortToken); }
            catch (Exception) when (!AbortToken.IsCancellationRequested) { } // logged by the invoker; next occurrence is the retry
            catch (Exception) { return; } // shutdown deadline

            last = scheduled;
            var finished = time.GetUtcNow();
            overran = following <= finished;
            scheduled = LatestDue(schedule, following, finished);
        }
    }

    /// <summary><paramref name="next"/>, or the latest occurrence already due when a long run overran several.</summary>
    static DateTimeOffset LatestDue(CrontabSchedule schedule, DateTimeOffset next, DateTimeOffset now)
    {
        if (next > now) return next;
        var missed = schedule.GetNextOccurrences(next.UtcDateTime, now.UtcDateTime.AddTicks(1)).LastOrDefault();
        return missed == default ? next : Utc(missed);
    }

    static DateTimeOffset Next(CrontabSchedule schedule, DateTimeOffset after) => Utc(schedule.GetNextOccurrence(after.UtcDateTime));

    static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    [LoggerMessage(LogLevel.Information, "{FunctionName} scheduled on '{Schedule}' (UTC)")]
    partial void LogScheduled(string functionName, string schedule);
}
