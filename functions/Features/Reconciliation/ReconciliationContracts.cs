namespace ManagedDistribution.Features.Reconciliation;

/// <summary><c>POST /api/reconciliation</c> body (optional): <c>full</c> ignores the sinceVersionId cursor.</summary>
public sealed record ReconciliationStartRequest(bool? Full);

/// <summary>The run a start request got: a new one, or the one already running.</summary>
public sealed record ReconciliationStarted(string RunId, string State, bool AlreadyRunning);

public static class RunStates
{
    public const string Running = "running";
    public const string Completed = "completed";
    public const string Failed = "failed";
}

public static class ReadModes
{
    public const string Full = "full";
    public const string SinceVersionId = "sinceVersionId";
    public const string Skipped = "skipped";
}

/// <summary>Counts of one location's drift, or of a whole run.</summary>
public sealed record DriftTotals(
    int Orphans, int OrphansReleased, int Lost, int Reassociated, int Duplicates, int RetiredUsersHoldingLicenses,
    int StaleReservationsResolved, int ItemsWithDifferences)
{
    public static DriftTotals Zero { get; } = new(0, 0, 0, 0, 0, 0, 0, 0);

    public DriftTotals Add(DriftTotals o) => new(Orphans + o.Orphans, OrphansReleased + o.OrphansReleased, Lost + o.Lost,
        Reassociated + o.Reassociated, Duplicates + o.Duplicates, RetiredUsersHoldingLicenses + o.RetiredUsersHoldingLicenses,
        StaleReservationsResolved + o.StaleReservationsResolved, ItemsWithDifferences + o.ItemsWithDifferences);
}

/// <summary>One run as listed: state, progress and totals.</summary>
public sealed record ReconciliationRunSummary(
    string RunId, string State, string Trigger, bool FullRequested, DateTimeOffset StartedAt, DateTimeOffset? CompletedAt,
    int LocationsTotal, int LocationsDone, string? Error, DriftTotals Totals);

public sealed record ReconciliationRunList(IReadOnlyList<ReconciliationRunSummary> Items);

/// <summary><c>GET /api/reconciliation/{runId}</c>: the run and its drift per location and per item.</summary>
public sealed record ReconciliationReport(ReconciliationRunSummary Run, IReadOnlyList<LocationDrift> Locations);

/// <summary>A list cut to its first entries, with the full count.</summary>
public sealed record DriftList<T>(int Count, IReadOnlyList<T> First);

/// <summary>One license at Apple or in our ledger: <c>targetKind</c> device (serial number) or user (clientUserId).
/// <c>repaired</c>: re-associated (lost) or disassociated (orphans) and confirmed by Apple; null when not attempted.</summary>
public sealed record TargetDrift(string ContentId, string AdamId, string TargetKind, string TargetId, bool? Repaired = null);

/// <summary>A reservation left pending (never committed or released) and how it was settled against Apple.</summary>
public sealed record StaleReservationDrift(string ContentId, string ReservationKey, string Owner, int Committed, int Released);

/// <summary>One item: Apple's counts against ours. <c>ourCommitted</c> is counted from the committed target rows
/// when the item was compared in full, else the ledger's Assigned. Difference = appleAssigned − ourCommitted.</summary>
public sealed record ItemDrift(
    string ContentId, string AdamId, string PricingParam, int AppleTotal, int AppleAssigned, int OurCommitted, int LedgerAssigned,
    int External, int Orphans, int Lost, int Difference, bool ComparedInFull);

/// <summary>What one location's part of a run found and did.</summary>
public sealed record LocationDrift(
    string LocationUId, string ReadMode, string? SinceVersionId, string? VersionId, bool VersionChangedDuringRead, string? Skipped,
    long AppleAssignmentsRead, int ItemsChecked, int ItemsComparedInFull, int UsersSynced, DriftTotals Totals,
    DriftList<TargetDrift> Orphans, DriftList<TargetDrift> Lost, DriftList<TargetDrift> Duplicates,
    DriftList<TargetDrift> RetiredUsersHoldingLicenses, DriftList<StaleReservationDrift> StaleReservations,
    IReadOnlyList<ItemDrift> Items);
