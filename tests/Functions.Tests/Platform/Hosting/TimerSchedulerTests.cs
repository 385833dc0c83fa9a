using ManagedDistribution.Platform.Hosting;
using ManagedDistribution.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace ManagedDistribution.Tests.Platform.Hosting;

/// <summary>The standalone timer trigger: NCRONTAB with seconds, UTC, failures do not stop the schedule.</summary>
public class TimerSchedulerTests(AzuriteFixture azurite)
{
    static Dictionary<string, string?> EverySecond => new() { ["Probe:Schedule"] = "* * * * * *" };

    [Fact]
    public async Task An_every_second_schedule_fires_on_whole_seconds_with_schedule_status()
    {
        await using var app = new HostingAppFactory(azurite, EverySecond);
        _ = app.Services;

        await Eventually.TrueAsync(() => app.Probe.TimerCalls.Count >= 2, "the timer fires twice");

        var calls = app.Probe.TimerCalls.ToList();
        Assert.All(calls, c => Assert.Equal(0, c.ScheduledTime.Millisecond));
        Assert.All(calls, c => Assert.Equal(TimeSpan.Zero, c.ScheduledTime.Offset));
        Assert.True(calls[1].ScheduledTime > calls[0].ScheduledTime);
        Assert.Null(calls[0].ScheduleStatus!.Last);
        Assert.Equal(calls[0].ScheduledTime, calls[1].ScheduleStatus!.Last);
        Assert.Equal(calls[1].ScheduledTime.AddSeconds(1), calls[1].ScheduleStatus!.Next);
    }

    [Fact]
    public async Task A_failing_run_is_logged_and_the_next_occurrence_still_fires()
    {
        await using var app = new HostingAppFactory(azurite, EverySecond);
        app.Probe.OnTimer = (_, _) => throw new InvalidOperationException("tick failed");

        await Eventually.TrueAsync(() => app.Probe.TimerCalls.Count >= 3, "the timer keeps firing after failures");
    }

    [Fact]
    public async Task A_run_that_overruns_the_next_occurrences_is_followed_by_one_past_due_run()
    {
        await using var app = new HostingAppFactory(azurite, EverySecond);
        var first = true;
        app.Probe.OnTimer = async (_, ct) =>
        {
            if (!first) return;
            first = false;
            await Task.Delay(TimeSpan.FromSeconds(3.5), ct);
        };

        await Eventually.TrueAsync(() => app.Probe.TimerCalls.Count >= 2, "the timer fires after the long run");

        var second = app.Probe.TimerCalls.ElementAt(1);
        Assert.True(second.IsPastDue);
        Assert.True(second.ScheduledTime - app.Probe.TimerCalls.First().ScheduledTime >= TimeSpan.FromSeconds(3), "missed occurrences collapse into the latest");
    }

    [Fact]
    public void Registrations_reject_names_and_schedules_that_cannot_work()
    {
        var services = new ServiceCollection();

        Assert.Throws<ArgumentException>(() => services.AddQueueFunction<ProbeQueueHandler>("probe", "probe"));
        Assert.Throws<ArgumentException>(() => services.AddQueueFunction<ProbeQueueHandler>("ProbeQueue", "Probe_Queue"));
        Assert.Throws<ArgumentException>(() => services.AddTimerFunction<ProbeTimerHandler>("ProbeQueue", "Probe:Schedule", "* * * * * *"));
        Assert.ThrowsAny<Exception>(() => services.AddTimerFunction<ProbeTimerHandler>("ProbeTimer", "Probe:Schedule", "0 * * * *x"));
    }
}
