using System.ComponentModel.DataAnnotations;
using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Devices.Push;

/// <summary>
/// Push delivery workflow settings (section <c>Push</c>): how long a device gets to check in after
/// a push before it is pushed again, how often, and how the work is chunked.
/// </summary>
public sealed class PushOptions
{
    public const string SectionName = "Push";

    /// <summary>Wait after the first wave before checking whether the device checked in; later waits grow by <see cref="BackoffFactor"/>. Queue timers have whole-second resolution.</summary>
    public TimeSpan CheckinWindow { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Pushes per channel (including ones APNs asked to retry); after the last, waiting commands are expired.</summary>
    [Range(1, 50)]
    public int MaxAttempts { get; set; } = 5;

    /// <summary>Each wait is the previous one times this.</summary>
    [Range(1.0, 10.0)]
    public double BackoffFactor { get; set; } = 2;

    /// <summary>Channels per chunk (one queue message and one table partition each).</summary>
    [Range(1, 2000)]
    public int ChunkSize { get; set; } = 500;

    /// <summary>Channel look-ups (push target, waiting commands) in flight per chunk.</summary>
    [Range(1, 256)]
    public int LookupConcurrency { get; set; } = 32;

    /// <summary>
    /// How long a first wave may use push credentials another chunk read (whole device buckets,
    /// Registry/PushTargetSnapshots) instead of reading them again; zero reads every time.
    /// </summary>
    public TimeSpan TargetSnapshotAge { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Device rows those snapshots may hold in all (~350 bytes each).</summary>
    [Range(0, 10_000_000)]
    public int TargetSnapshotRows { get; set; } = 200_000;

    /// <summary>The durable timer before <paramref name="wave"/> (≥ 1): window × factor^(wave−1), at most 7 days.</summary>
    public TimeSpan DelayBeforeWave(int wave)
    {
        var seconds = CheckinWindow.TotalSeconds * Math.Pow(BackoffFactor, Math.Max(0, wave - 1));
        return seconds >= QueueClient.MaxVisibilityDelay.TotalSeconds ? QueueClient.MaxVisibilityDelay : TimeSpan.FromSeconds(seconds);
    }

    internal bool IsValid() => CheckinWindow > TimeSpan.Zero && CheckinWindow <= QueueClient.MaxVisibilityDelay && TargetSnapshotAge >= TimeSpan.Zero;
}
