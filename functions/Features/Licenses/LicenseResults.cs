namespace ManagedDistribution.Features.Licenses;

/// <summary>How many licenses a reservation wants when fewer are available.</summary>
public enum ReservationMode
{
    /// <summary>All or nothing: a shortfall reserves none and the whole request waits.</summary>
    AllOrNothing,
    /// <summary>First come first served (R17): reserve what is there, the rest waits.</summary>
    UpTo,
}

/// <param name="ContentId">The purchased item (its ledger partition).</param>
/// <param name="Count">Licenses needed: 1 for a device or user, the whole need for a group.</param>
/// <param name="Owner">The assignment the licenses belong to (for the waiting list and target rows).</param>
/// <param name="IdempotencyKey">Same key, same answer: a replay never reserves twice.</param>
/// <param name="Targets">Optional targets in first-come order: the first <c>Granted</c> get target rows
/// in state reserved, the rest in state waiting. Up to <see cref="LicenseLedger.InlineTargets"/> go in
/// the reservation's own transaction; more are written right after it, in 100-row batches.</param>
/// <param name="SettledByOwner">
/// The owner settles every Apple outcome of this reservation itself, under step keys that stay the
/// same when it retries (a durable workflow). Notification handlers then leave it alone: settling
/// it under Apple's event id as well could count a batch twice.
/// </param>
public sealed record ReservationRequest(
    string ContentId, int Count, string Owner, string IdempotencyKey,
    ReservationMode Mode = ReservationMode.AllOrNothing, IReadOnlyList<LicenseTarget>? Targets = null, bool SettledByOwner = false);

public enum ReservationOutcome
{
    /// <summary>Every requested license is reserved.</summary>
    Reserved,
    /// <summary>Some are reserved (<see cref="ReservationMode.UpTo"/>), the rest wait.</summary>
    PartlyReserved,
    /// <summary>None is reserved; the request is on the waiting list.</summary>
    Exhausted,
    /// <summary>No ledger for this item (not a purchased item, or never synced).</summary>
    UnknownItem,
    /// <summary>Too many concurrent writers for the bounded retry; nothing was written. Retry later.</summary>
    Contended,
}

/// <param name="Available">Licenses still available after this reservation (at the moment it was decided).</param>
/// <param name="Replayed">True when the idempotency key had been seen: this is the first answer again.</param>
public sealed record ReservationResult(
    ReservationOutcome Outcome, int Requested, int Granted, int Available, bool Replayed, ReservationRecord? Record)
{
    public int Waiting => Requested - Granted;
}

public enum SettleOutcome
{
    Applied,
    /// <summary>The step (or the whole commit/release) was applied before; nothing changed.</summary>
    Replayed,
    UnknownReservation,
    Contended,
}

/// <summary>What a commit, release or return did to one reservation.</summary>
public sealed record SettleResult(SettleOutcome Outcome, int Moved, ReservationRecord? Record, LedgerCounts? Counts);

/// <summary>
/// One partial settlement of a reservation (e.g. one Apple event of a chunked group): commit or
/// release <see cref="Count"/> under <see cref="StepKey"/>, whose replay is a no-op.
/// </summary>
public sealed record SettleStep(bool Commit, int Count, string StepKey)
{
    public static SettleStep Committed(int count, string stepKey) => new(true, count, stepKey);
    public static SettleStep Released(int count, string stepKey) => new(false, count, stepKey);
}

public enum TotalChangeOutcome
{
    Applied,
    Replayed,
    UnknownItem,
    Contended,
}
