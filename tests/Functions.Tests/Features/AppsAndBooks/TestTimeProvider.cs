namespace ManagedDistribution.Tests.Features.AppsAndBooks;

/// <summary>
/// A clock tests move by hand, whose timers record the delay asked for and then fire after at
/// most 10 ms: retry and polling tests check what the client waited for without waiting.
/// </summary>
internal sealed class TestTimeProvider : TimeProvider
{
    readonly object sync = new();
    readonly List<TimeSpan> requestedDelays = [];
    DateTimeOffset now = DateTimeOffset.UtcNow;

    public override DateTimeOffset GetUtcNow()
    {
        lock (sync) return now;
    }

    public void Advance(TimeSpan by)
    {
        lock (sync) now += by;
    }

    public IReadOnlyList<TimeSpan> RequestedDelays
    {
        get { lock (sync) return [.. requestedDelays]; }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            lock (sync) requestedDelays.Add(dueTime);
            if (dueTime > TimeSpan.FromMilliseconds(10)) dueTime = TimeSpan.FromMilliseconds(10);
        }
        return System.CreateTimer(callback, state, dueTime, period);
    }
}
