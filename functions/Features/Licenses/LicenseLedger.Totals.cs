using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Licenses;

/// <summary>An item as Apple's Get Assets reports it, reduced to what the ledger keeps.</summary>
public sealed record AppleCounts(string LocationUId, string AdamId, string PricingParam, int TotalCount, int AssignedCount);

/// <summary>A ledger after a sync with Apple, and how many licenses were available before it.</summary>
public sealed record LedgerSync(LedgerEntry Entry, int AvailableBefore)
{
    /// <summary>Apple's counts made licenses available (a purchase, a release elsewhere): the waiting list may be served.</summary>
    public bool Freed => Entry.Counts.Available > AvailableBefore;
}

public sealed partial class LicenseLedger
{
    /// <summary>
    /// Takes the total from Apple (Get Assets). Creates the ledger on first sight. What Apple
    /// shows assigned beyond our committed licenses becomes <see cref="LedgerCounts.External"/>:
    /// counted against availability (never over-assign at Apple) until reconciliation attributes it.
    /// Our in-flight reservations are not subtracted from it, so the estimate errs on the safe side.
    /// A sync that changes nothing writes nothing, so <c>SyncedAt</c> is when Apple's counts last changed the ledger.
    /// </summary>
    public async Task<LedgerEntry> SyncFromAppleAsync(string contentId, AppleCounts apple, CancellationToken cancellationToken = default) =>
        (await SyncWithAppleAsync(contentId, apple, cancellationToken)).Entry;

    /// <summary><see cref="SyncFromAppleAsync"/>, also telling whether the sync freed licenses.</summary>
    public async Task<LedgerSync> SyncWithAppleAsync(string contentId, AppleCounts apple, CancellationToken cancellationToken = default)
    {
        var table = await licenses.GetAsync(cancellationToken);
        for (var attempt = 0; ; attempt++)
        {
            var now = time.GetUtcNow();
            var row = await table.GetEntityAsync(contentId, LicenseKeys.LedgerRow, cancellationToken: cancellationToken);
            var current = row is null ? null : LedgerEntry.Read(row);
            var assigned = current?.Counts.Assigned ?? 0;
            var counts = new LedgerCounts(Math.Max(0, apple.TotalCount), assigned, current?.Counts.Reserved ?? 0,
                Math.Max(0, apple.AssignedCount - assigned));
            var entry = new LedgerEntry(contentId, apple.LocationUId, apple.AdamId, apple.PricingParam, counts, apple.AssignedCount, now, default);
            // Nothing new from Apple: no write (reconciliation syncs every item of a location each run).
            var before = current?.Counts.Available ?? 0;
            if (current is not null && current == entry with { SyncedAt = current.SyncedAt, ETag = current.ETag }) return new(current, before);
            try
            {
                var etag = current is null
                    ? await table.AddEntityAsync(entry.ToEntity(now), cancellationToken)
                    : await table.UpdateEntityAsync(entry.ToEntity(now), current.ETag, cancellationToken: cancellationToken);
                return new(entry with { ETag = etag }, before);
            }
            catch (StorageRequestFailedException e) when ((e.IsConflict || e.IsPreconditionFailed || e.IsNotFound) && attempt < MaxAttempts)
            {
                await BackoffAsync(attempt, cancellationToken);
            }
        }
    }

    /// <summary>
    /// Applies a change of the total (ASSET_COUNT: + purchase/transfer in, − refund/transfer out)
    /// exactly once per <paramref name="changeKey"/> (the notification id): the marker row goes in
    /// the same transaction as the ledger update. The total never drops below zero.
    /// </summary>
    public async Task<TotalChangeOutcome> ApplyTotalChangeAsync(string contentId, int delta, string changeKey, CancellationToken cancellationToken = default)
    {
        var table = await licenses.GetAsync(cancellationToken);
        var markerRow = LicenseKeys.TotalChangeRow(changeKey);
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var (ledger, marker) = await ReadPairAsync(table, contentId, markerRow, cancellationToken);
            if (marker is not null) return TotalChangeOutcome.Replayed;
            if (ledger is null) return TotalChangeOutcome.UnknownItem;
            var now = time.GetUtcNow();
            var total = (int)Math.Clamp((long)ledger.Counts.Total + delta, 0, int.MaxValue);
            var updated = ledger with { Counts = ledger.Counts with { Total = total } };
            TableTransactionAction[] actions =
            [
                new(TableTransactionActionType.UpdateReplace, updated.ToEntity(now), ledger.ETag),
                new(TableTransactionActionType.Add, new TableEntity(contentId, markerRow) { ["Delta"] = delta, ["AppliedAt"] = now }),
            ];
            try
            {
                await table.SubmitTransactionAsync(actions, cancellationToken);
                logger.LogInformation("License total of {ContentId} changed by {Delta} to {Total}", contentId, delta, total);
                return TotalChangeOutcome.Applied;
            }
            catch (StorageRequestFailedException e) when (e.IsPreconditionFailed || e.IsConflict || e.IsNotFound)
            {
                await BackoffAsync(attempt, cancellationToken);
            }
        }
        return TotalChangeOutcome.Contended;
    }
}
