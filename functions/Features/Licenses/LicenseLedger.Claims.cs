using System.Collections.Concurrent;
using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Licenses;

public sealed partial class LicenseLedger
{
    /// <summary>
    /// Writes committed target rows for a reservation that holds only a count (a device group's):
    /// its rows are written once, after Apple confirmed, instead of reserved first and merged to
    /// committed. Rows are inserted in 100-row transactions; a transaction that meets an existing
    /// row is redone row by row: a row of this reservation stays as it is (a redo after a crash),
    /// a waiting or released row of another one is taken over (<c>If-Match</c> on the ETag read), a
    /// reserved or committed row of another reservation is left alone — that target already holds a
    /// license. Returns those targets with the owner holding them: the caller releases their
    /// licenses instead of committing them (Apple keeps one association per serial).
    /// </summary>
    public async Task<IReadOnlyDictionary<LicenseTarget, string>> ClaimTargetsAsync(string contentId, IEnumerable<LicenseTarget> targets,
        string owner, string reservationKey, CancellationToken cancellationToken = default)
    {
        var held = new ConcurrentDictionary<LicenseTarget, string>();
        var rows = targets.Distinct().Select(t => (Target: t, Entity: LicenseTargetRow.ToEntity(contentId, t, LicenseState.Committed, owner, reservationKey)))
            .ToList();
        if (rows.Count == 0) return held;
        await MarkTargetsChangingAsync(await licenses.GetAsync(cancellationToken), contentId, cancellationToken);
        await Task.WhenAll(rows.GroupBy(r => LicenseTargetLayout.SliceOf(r.Target)).Select(async slice =>
        {
            var table = await targetTables.SliceAsync(contentId, slice.Key, cancellationToken);
            var byRowKey = slice.ToDictionary(r => r.Entity.RowKey, r => r.Target, StringComparer.Ordinal); // a row key names one partition
            await TableBulk.SubmitAsync(table, slice.Select(r => new TableTransactionAction(TableTransactionActionType.Add, r.Entity)),
                async (batch, failed, ct) =>
                {
                    if (!failed.IsConflict) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failed);
                    await TableBulk.ForEachAsync(batch, async (action, token) =>
                    {
                        if (await ClaimOneAsync(table, action.Entity, reservationKey, token) is { } holder) held[byRowKey[action.Entity.RowKey]] = holder;
                    }, ct);
                }, cancellationToken);
        }));
        return held;
    }

    /// <summary>Claims one target row; null when it is this reservation's now, else the owner of the reservation holding it.</summary>
    static async Task<string?> ClaimOneAsync(TableClient table, TableEntity claim, string reservationKey, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var existing = await table.GetEntityAsync(claim.PartitionKey, claim.RowKey, cancellationToken: cancellationToken);
            try
            {
                if (existing is null) await table.AddEntityAsync(claim, cancellationToken);
                else
                {
                    var row = LicenseTargetRow.Read(existing);
                    if (row.ReservationKey == reservationKey && row.State is LicenseState.Committed or LicenseState.Released) return null; // claimed before (or since revoked)
                    if (row.ReservationKey != reservationKey && row.State is LicenseState.Reserved or LicenseState.Committed) return row.Owner;
                    await table.UpdateEntityAsync(claim, row.ETag, TableUpdateMode.Merge, cancellationToken);
                }
                return null;
            }
            catch (StorageRequestFailedException e) when (e.IsConflict || e.IsPreconditionFailed || e.IsNotFound)
            {
                // Someone wrote or removed the row between the read and the write: read it again.
            }
        }
        throw new InvalidOperationException($"The license row {claim.RowKey} of {claim.PartitionKey} kept changing; the claim is retried.");
    }
}
