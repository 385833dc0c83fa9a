using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Licenses;

public sealed partial class LicenseLedger
{
    enum Move { Commit, Release, Return }

    const int MaxStepsKept = 1000;

    /// <summary>
    /// Apple confirmed: reserved → assigned. Without <paramref name="count"/> the whole remaining
    /// reservation is committed (a replay is a no-op); a partial commit (one Apple event of a
    /// chunked group) names a <paramref name="stepKey"/>, e.g. the event id, so its replay is too.
    /// </summary>
    public Task<SettleResult> CommitAsync(string contentId, string idempotencyKey, int? count = null, string? stepKey = null,
        CancellationToken cancellationToken = default) =>
        SettleAsync(contentId, idempotencyKey, Move.Commit, count, stepKey, cancellationToken);

    /// <summary>Apple refused or the assignment was abandoned: reserved → available. Same idempotency as commit.</summary>
    public Task<SettleResult> ReleaseAsync(string contentId, string idempotencyKey, int? count = null, string? stepKey = null,
        CancellationToken cancellationToken = default) =>
        SettleAsync(contentId, idempotencyKey, Move.Release, count, stepKey, cancellationToken);

    /// <summary>A committed license was revoked (disassociated at Apple): assigned → available.</summary>
    public Task<SettleResult> ReturnAsync(string contentId, string idempotencyKey, int? count = null, string? stepKey = null,
        CancellationToken cancellationToken = default) =>
        SettleAsync(contentId, idempotencyKey, Move.Return, count, stepKey, cancellationToken);

    /// <summary>The record of a reservation, or null.</summary>
    public async Task<ReservationRecord?> GetReservationAsync(string contentId, string idempotencyKey, CancellationToken cancellationToken = default)
    {
        var table = await licenses.GetAsync(cancellationToken);
        var row = await table.GetEntityAsync(contentId, LicenseKeys.ReservationRow(idempotencyKey), cancellationToken: cancellationToken);
        return row is null ? null : ReservationRecord.Read(row);
    }

    /// <summary>
    /// Several partial commits/releases of one reservation in ONE conditional write (e.g. the 20
    /// Apple events of a group chunk): every step whose key is already recorded is skipped, the
    /// others are applied in order. Writers of an item take turns, so settling a chunk's batches
    /// one write each made a 50,000-device group wait for 100 ledger writes in a row.
    /// </summary>
    public async Task<SettleResult> SettleStepsAsync(string contentId, string idempotencyKey, IReadOnlyList<SettleStep> steps,
        CancellationToken cancellationToken = default)
    {
        foreach (var step in steps)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(step.Count);
            ArgumentException.ThrowIfNullOrEmpty(step.StepKey);
        }
        return await SettleAsync(contentId, idempotencyKey, [.. steps.Select(s => (s.Commit ? Move.Commit : Move.Release, (int?)s.Count, s.StepKey))],
            cancellationToken);
    }

    Task<SettleResult> SettleAsync(
        string contentId, string idempotencyKey, Move move, int? count, string? stepKey, CancellationToken cancellationToken)
    {
        if (count is < 0) throw new ArgumentOutOfRangeException(nameof(count));
        if (count is not null && string.IsNullOrEmpty(stepKey))
            throw new ArgumentException("A partial commit/release/return needs a step key so that its replay is a no-op.", nameof(stepKey));
        return SettleAsync(contentId, idempotencyKey, [(move, count, stepKey ?? move.ToString().ToLowerInvariant())], cancellationToken);
    }

    async Task<SettleResult> SettleAsync(string contentId, string idempotencyKey, IReadOnlyList<(Move Move, int? Count, string Step)> steps,
        CancellationToken cancellationToken)
    {
        var table = await licenses.GetAsync(cancellationToken);
        using var turn = await EnterAsync(contentId, cancellationToken);
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var (ledger, row) = await ReadPairAsync(table, contentId, LicenseKeys.ReservationRow(idempotencyKey), cancellationToken);
            if (row is null || ledger is null) return new(SettleOutcome.UnknownReservation, 0, null, ledger?.Counts);
            var record = ReservationRecord.Read(row);
            var (newRecord, newCounts, moved, applied) = (record, ledger.Counts, 0, 0);
            foreach (var (move, count, step) in steps)
            {
                if (newRecord.Steps.Contains(step, StringComparer.Ordinal)) continue;
                var movable = move == Move.Return ? newRecord.Held : newRecord.Pending;
                var n = Math.Min(count ?? movable, movable);
                (newRecord, newCounts) = Apply(move, n, newRecord, newCounts, step);
                (moved, applied) = (moved + n, applied + 1);
            }
            if (applied == 0) return new(SettleOutcome.Replayed, 0, record, ledger.Counts);

            var actions = new List<TableTransactionAction>
            {
                new(TableTransactionActionType.UpdateReplace, newRecord.ToEntity(contentId), record.ETag),
            };
            if (moved > 0)
                actions.Add(new(TableTransactionActionType.UpdateReplace, (ledger with { Counts = newCounts }).ToEntity(time.GetUtcNow()), ledger.ETag));
            try
            {
                await table.SubmitTransactionAsync(actions, cancellationToken);
            }
            catch (StorageRequestFailedException e) when (e.IsPreconditionFailed || e.IsConflict || e.IsNotFound)
            {
                await BackoffAsync(attempt, cancellationToken);
                continue;
            }
            logger.LogInformation("Licenses {Move} for {ContentId}: {Count} of reservation {Owner} ({Steps} steps)",
                string.Join('+', steps.Select(s => s.Move).Distinct()), contentId, moved, record.Owner, applied);
            return new(SettleOutcome.Applied, moved, newRecord, newCounts);
        }
        return new(SettleOutcome.Contended, 0, null, null);
    }

    static (ReservationRecord Record, LedgerCounts Counts) Apply(Move move, int n, ReservationRecord record, LedgerCounts counts, string step)
    {
        var steps = record.Steps.Append(step).TakeLast(MaxStepsKept).ToList();
        // Clamped at zero although the record bounds n: the ledger must never show a negative count.
        return move switch
        {
            Move.Commit => (record with { Committed = record.Committed + n, Steps = steps },
                counts with { Reserved = Math.Max(0, counts.Reserved - n), Assigned = counts.Assigned + n }),
            Move.Release => (record with { Released = record.Released + n, Steps = steps },
                counts with { Reserved = Math.Max(0, counts.Reserved - n) }),
            _ => (record with { Returned = record.Returned + n, Steps = steps },
                counts with { Assigned = Math.Max(0, counts.Assigned - n) }),
        };
    }
}
