namespace ManagedDistribution.Features.Reconciliation;

/// <summary>How reconciliation with Apple runs (DESIGN.md §5 target: 500,000 assignments ≤ 30 s, ≤ 512 MB).</summary>
public sealed class ReconciliationOptions
{
    public const string SectionName = "Reconciliation";
    public const string DefaultSchedule = "0 0 * * * *";

    /// <summary>6-field NCRONTAB (UTC) of the timer; hourly by default.</summary>
    public string Schedule { get; set; } = DefaultSchedule;

    /// <summary>Disassociate orphans (Apple assignments we did not make) instead of only reporting them.</summary>
    public bool ReleaseOrphans { get; set; }

    /// <summary>A reservation neither committed nor released after this long is resolved against Apple.</summary>
    public TimeSpan StaleReservationAge { get; set; } = TimeSpan.FromHours(1);

    /// <summary>An incremental (sinceVersionId) read becomes a full read when the last full one is older than this.</summary>
    public TimeSpan FullReadInterval { get; set; } = TimeSpan.FromDays(1);

    /// <summary>A run still "running" with no progress for this long is taken as abandoned; a new one may start.</summary>
    public TimeSpan RunTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How long a run waits for Apple's events of its repairs (re-associations, releases).</summary>
    public TimeSpan RepairEventWait { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Entries kept per list (orphans, lost, ...) in a location's report; counts are always complete.</summary>
    public int ReportListLimit { get; set; } = 50;

    /// <summary>Items compared at once (each one range scan of its ledger partition).</summary>
    public int ItemConcurrency { get; set; } = 16;

    /// <summary>
    /// A full comparison skips reading an item's target rows when they are unchanged since an earlier
    /// one found them equal to Apple's; it records that only for rows last stamped longer ago than
    /// this (a write of target rows may still be in progress for that long).
    /// </summary>
    public TimeSpan TargetsSettleTime { get; set; } = TimeSpan.FromMinutes(15);

    internal bool IsValid() =>
        StaleReservationAge > TimeSpan.Zero && FullReadInterval > TimeSpan.Zero && RunTimeout > TimeSpan.Zero
        && RepairEventWait >= TimeSpan.Zero && TargetsSettleTime >= TimeSpan.Zero && ReportListLimit is >= 1 and <= 200 && ItemConcurrency is >= 1 and <= 64;
}
