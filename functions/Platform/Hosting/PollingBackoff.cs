namespace ManagedDistribution.Platform.Hosting;

/// <summary>
/// Idle polling delay: doubles from <c>min</c> up to <c>max</c>, with jitter so several listeners
/// and instances drift apart, like the Functions queue listener's randomized exponential back-off.
/// </summary>
sealed class PollingBackoff(TimeSpan min, TimeSpan max)
{
    int idlePolls;

    public void Reset() => idlePolls = 0;

    public TimeSpan Next()
    {
        var ceiling = Math.Min(max.TotalMilliseconds, min.TotalMilliseconds * Math.Pow(2, Math.Min(idlePolls++, 30)));
        var jittered = ceiling * (0.75 + 0.25 * Random.Shared.NextDouble());
        return TimeSpan.FromMilliseconds(Math.Max(min.TotalMilliseconds, jittered));
    }
}
