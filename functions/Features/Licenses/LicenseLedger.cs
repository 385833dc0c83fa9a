using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Licenses;

/// <summary>
/// The authority for the licenses we hand out (R5). Every count change is one entity group
/// transaction in the item's partition: the ledger row, updated with <c>If-Match</c>, plus the
/// record of the operation keyed by its idempotency key. So counts never go negative, licenses
/// are never over-assigned whatever the concurrency, and a replayed request finds its first
/// answer instead of reserving twice. A lost race (412) re-reads and retries a bounded number of
/// times with jitter. See README.md in this folder for the data model.
/// </summary>
public sealed partial class LicenseLedger(TableServiceClient service, TimeProvider time, ILogger<LicenseLedger> logger)
{
    public const string TableName = "licenses";

    /// <summary>Bounded retry of a conditional write: 200 writers racing on one row settle well within it.</summary>
    const int MaxAttempts = 100;

    readonly TableOnFirstUse licenses = new(service, TableName);
    readonly LicenseTargetTables targetTables = new(service);

    // Writers of one item in this process take turns: the ETag still decides between instances,
    // but 200 local racers no longer make 199 losing writes per license handed out.
    readonly System.Collections.Concurrent.ConcurrentDictionary<string, SemaphoreSlim> gates = new(StringComparer.Ordinal);

    async Task<IDisposable> EnterAsync(string contentId, CancellationToken cancellationToken)
    {
        var gate = gates.GetOrAdd(contentId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        return new Turn(gate);
    }

    sealed class Turn(SemaphoreSlim gate) : IDisposable
    {
        int released;
        public void Dispose() { if (Interlocked.Exchange(ref released, 1) == 0) gate.Release(); }
    }

    /// <summary>The item's ledger row, or null when the item has none.</summary>
    public async Task<LedgerEntry?> GetAsync(string contentId, CancellationToken cancellationToken = default)
    {
        var table = await licenses.GetAsync(cancellationToken);
        var row = await table.GetEntityAsync(contentId, LicenseKeys.LedgerRow, cancellationToken: cancellationToken);
        return row is null ? null : LedgerEntry.Read(row);
    }

    /// <summary>
    /// Reserves licenses for an assignment in one conditional write (a group's whole need at once).
    /// With <see cref="ReservationMode.UpTo"/> a shortfall reserves what is there (first come first
    /// served, R17) and puts the rest on the waiting list in the same transaction.
    /// </summary>
    public async Task<ReservationResult> ReserveAsync(ReservationRequest request, CancellationToken cancellationToken = default)
    {
        Validate(request);
        var table = await licenses.GetAsync(cancellationToken);
        var recordRow = LicenseKeys.ReservationRow(request.IdempotencyKey);
        using var turn = await EnterAsync(request.ContentId, cancellationToken);
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var (ledger, recordEntity) = await ReadPairAsync(table, request.ContentId, recordRow, cancellationToken);
            if (recordEntity is not null)
            {
                var earlier = ReservationRecord.Read(recordEntity);
                // The first attempt may have stopped between the count and the target rows (they are
                // written right after its transaction): add the missing ones, never overwrite a row
                // that has moved on since.
                turn.Dispose();
                if (request.Targets is { Count: > 0 } targets)
                {
                    await MarkTargetsChangingAsync(table, request.ContentId, cancellationToken);
                    await WriteTargetRowsAsync(TargetRows(request, targets, earlier.Granted), TargetWrite.AddMissing, cancellationToken);
                }
                return Replay(earlier, ledger);
            }
            if (ledger is null) return new(ReservationOutcome.UnknownItem, request.Count, 0, 0, false, null);

            var available = ledger.Counts.Available;
            var granted = request.Mode == ReservationMode.UpTo ? Math.Min(request.Count, available)
                : available >= request.Count ? request.Count : 0;
            var record = new ReservationRecord(request.IdempotencyKey, request.Owner, request.Count, granted, 0, 0, 0,
                time.GetUtcNow(), [], default) { SettledByOwner = request.SettledByOwner };
            try
            {
                await table.SubmitTransactionAsync(ReserveActions(request, ledger, record), cancellationToken);
            }
            catch (StorageRequestFailedException e) when (e.IsPreconditionFailed || e.IsConflict || e.IsNotFound)
            {
                await BackoffAsync(attempt, cancellationToken);
                continue;
            }
            turn.Dispose();
            if (request.Targets is { Count: > 0 } written)
                await WriteTargetRowsAsync(TargetRows(request, written, granted), TargetWrite.AddOrOverwrite, cancellationToken);
            var outcome = granted == request.Count ? ReservationOutcome.Reserved
                : granted > 0 ? ReservationOutcome.PartlyReserved : ReservationOutcome.Exhausted;
            logger.LogInformation(
                "Licenses {Outcome} for {ContentId}: {Granted} of {Requested} for {Owner} ({Attempts} attempts)",
                outcome, request.ContentId, granted, request.Count, request.Owner, attempt + 1);
            return new(outcome, request.Count, granted, available - granted, false, record);
        }
        logger.LogWarning("Licenses for {ContentId} too contended: {Owner} gave up after {Attempts} attempts", request.ContentId, request.Owner, MaxAttempts);
        return new(ReservationOutcome.Contended, request.Count, 0, 0, false, null);
    }

    List<TableTransactionAction> ReserveActions(ReservationRequest request, LedgerEntry ledger, ReservationRecord record)
    {
        var actions = new List<TableTransactionAction>();
        if (record.Granted > 0)
        {
            var counts = ledger.Counts with { Reserved = ledger.Counts.Reserved + record.Granted };
            actions.Add(new(TableTransactionActionType.UpdateReplace, (ledger with { Counts = counts }).ToEntity(time.GetUtcNow()), ledger.ETag));
        }
        actions.Add(new(TableTransactionActionType.Add, record.ToEntity(request.ContentId)));
        if (record.Waiting > 0)
        {
            var waiting = new WaitingEntry(request.IdempotencyKey, request.Owner, record.Waiting, record.RequestedAt);
            actions.Add(new(TableTransactionActionType.Add, waiting.ToEntity(request.ContentId)));
        }
        // The stamp precedes the target rows, which are written right after this transaction (they
        // live in another table: LicenseTargetLayout).
        if (request.Targets is { Count: > 0 })
            actions.Add(new(TableTransactionActionType.UpsertReplace, TargetsChange.ToEntity(request.ContentId, time.GetUtcNow())));
        return actions;
    }

    static List<TableEntity> TargetRows(ReservationRequest request, IReadOnlyList<LicenseTarget> targets, int granted) =>
        [.. targets.Select((target, i) => LicenseTargetRow.ToEntity(request.ContentId, target,
            i < granted ? LicenseState.Reserved : LicenseState.Waiting, request.Owner, request.IdempotencyKey))];

    static ReservationResult Replay(ReservationRecord record, LedgerEntry? ledger)
    {
        var outcome = record.Granted == record.Requested ? ReservationOutcome.Reserved
            : record.Granted > 0 ? ReservationOutcome.PartlyReserved : ReservationOutcome.Exhausted;
        return new(outcome, record.Requested, record.Granted, ledger?.Counts.Available ?? 0, true, record);
    }

    static void Validate(ReservationRequest request)
    {
        ArgumentException.ThrowIfNullOrEmpty(request.ContentId);
        ArgumentException.ThrowIfNullOrEmpty(request.Owner);
        ArgumentException.ThrowIfNullOrEmpty(request.IdempotencyKey);
        ArgumentOutOfRangeException.ThrowIfLessThan(request.Count, 1);
        if (request.Targets is { } targets && targets.Distinct().Count() != request.Count)
            throw new ArgumentException("Targets must be distinct and as many as Count.", nameof(request));
    }

    /// <summary>
    /// The ledger row and one other row of the partition: two point reads in parallel. Not one
    /// query with an OR of the two row keys: storage answers that with a scan (of the partition on
    /// Azure, of the whole table on Azurite). Reading them apart is safe: the transaction that follows names both ETags.
    /// </summary>
    static async Task<(LedgerEntry? Ledger, TableEntity? Other)> ReadPairAsync(
        TableClient table, string contentId, string otherRow, CancellationToken cancellationToken)
    {
        var ledger = table.GetEntityAsync(contentId, LicenseKeys.LedgerRow, cancellationToken: cancellationToken);
        var other = table.GetEntityAsync(contentId, otherRow, cancellationToken: cancellationToken);
        await Task.WhenAll(ledger, other);
        return (ledger.Result is { } row ? LedgerEntry.Read(row) : null, other.Result);
    }

    Task BackoffAsync(int attempt, CancellationToken cancellationToken) =>
        Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, Math.Min(50, 5 + attempt * 3))), time, cancellationToken);
}
