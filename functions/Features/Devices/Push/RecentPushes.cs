using System.Collections.Concurrent;

namespace ManagedDistribution.Features.Devices.Push;

/// <summary>
/// One push per channel per wave across workflows: the channels this instance pushed recently.
/// Two workflows scheduled for the same channel within a check-in window share one push. In
/// memory on purpose (a table row per push would double the storage cost of a wave); across
/// instances a duplicate push is possible, which is harmless (at-least-once). Singleton.
/// </summary>
sealed class RecentPushes
{
    const int PruneEvery = 4096;
    readonly ConcurrentDictionary<string, (DateTimeOffset PushedAt, DateTimeOffset Until)> pushes = new(StringComparer.Ordinal);
    int claims;

    /// <summary>True when the caller should push now; false with the time of the push still in its hold.</summary>
    public bool TryClaim(string channel, DateTimeOffset now, TimeSpan hold, out DateTimeOffset pushedAt)
    {
        if (Interlocked.Increment(ref claims) % PruneEvery == 0) Prune(now);
        var claim = (now, now + hold);
        while (true)
        {
            if (pushes.TryGetValue(channel, out var existing))
            {
                if (existing.Until > now)
                {
                    pushedAt = existing.PushedAt;
                    return false;
                }
                if (pushes.TryUpdate(channel, claim, existing)) break;
            }
            else if (pushes.TryAdd(channel, claim)) break;
        }
        pushedAt = now;
        return true;
    }

    /// <summary>The push did not happen (APNs refused or asked to retry): let the next wave try.</summary>
    public void Release(string channel, DateTimeOffset pushedAt)
    {
        if (pushes.TryGetValue(channel, out var existing) && existing.PushedAt == pushedAt) pushes.TryRemove(new(channel, existing));
    }

    void Prune(DateTimeOffset now)
    {
        foreach (var entry in pushes)
            if (entry.Value.Until <= now) pushes.TryRemove(entry);
    }
}
