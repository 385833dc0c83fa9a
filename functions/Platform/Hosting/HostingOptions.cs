namespace ManagedDistribution.Platform.Hosting;

/// <summary>
/// How the app's own triggers behave in standalone mode (no Functions host). The defaults mirror
/// host.json <c>extensions.queues</c> so a message is treated the same in both modes
/// (contracts/azure.md §1.10). Under the Functions host only <see cref="InvocationEndpoints"/> matters.
/// </summary>
public sealed class HostingOptions
{
    public const string SectionName = "Hosting";

    /// <summary>
    /// Run the standalone queue listeners and timers. Default true; ignored (always off) under the
    /// Functions host. Tests that drive invocations by hand turn it off.
    /// </summary>
    public bool RunTriggers { get; set; } = true;

    /// <summary>
    /// Whether <c>POST /&lt;FunctionName&gt;</c> is mapped when standalone. Default (null): only in the
    /// Development environment (tests, local runs); nothing but the host should invoke a handler by
    /// HTTP in production. Under the Functions host they are always mapped.
    /// </summary>
    public bool? InvocationEndpoints { get; set; }

    /// <summary>Messages fetched per receive (host.json <c>batchSize</c>, 1-32).</summary>
    public int BatchSize { get; set; } = 16;

    /// <summary>Fetch the next batch when this many or fewer are in flight (host.json <c>newBatchThreshold</c>).</summary>
    public int NewBatchThreshold { get; set; } = 8;

    /// <summary>Attempts before a message moves to <c>&lt;queue&gt;-poison</c> (host.json <c>maxDequeueCount</c>).</summary>
    public int MaxDequeueCount { get; set; } = 5;

    /// <summary>
    /// How long a failed message stays invisible before the next attempt (host.json
    /// <c>visibilityTimeout</c>, which despite its name is the retry delay).
    /// </summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Invisibility taken on receive and renewed at half-time while the handler runs, so a crashed
    /// instance's messages come back after at most this long. Whole seconds, at least 1.
    /// </summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Idle polling backs off exponentially (with jitter) from <see cref="MinPollingInterval"/> to this.</summary>
    public TimeSpan MaxPollingInterval { get; set; } = TimeSpan.FromSeconds(2);

    public TimeSpan MinPollingInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Most messages one listener handles at once.</summary>
    public int MaxConcurrentMessages => BatchSize + NewBatchThreshold;

    internal static bool IsValid(HostingOptions o) =>
        o.BatchSize is >= 1 and <= 32 && o.NewBatchThreshold >= 0 && o.MaxDequeueCount >= 1
        && o.RetryDelay >= TimeSpan.Zero
        && o.LeaseDuration >= TimeSpan.FromSeconds(1) && o.LeaseDuration.Ticks % TimeSpan.TicksPerSecond == 0
        && o.MinPollingInterval > TimeSpan.Zero && o.MaxPollingInterval >= o.MinPollingInterval;
}
