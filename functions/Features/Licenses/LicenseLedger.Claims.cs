using System.Collections.Concurrent;
using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Licenses;

public sealed partial class LicenseLedger
{
    /// <summary>
    /// Writes committed target rows for a reservation that holds only a count (a device group's):
    /// its rows are written once, after Apple confirmed, instead of reserved first and merged to
    /// committed. Rows are inserted in 100-row transactions; a transaction that meets an existing
    /// row is redone from what its partition holds now: a row of this reservation stays as it is (a
    /// redo after a crash), a waiting or released row of another one is taken over (<c>If-Match</c>
    /// on the ETag read), a reserved or committed row of another reservation is left alone — that
    /// target already holds a license. Returns those targets with the owner holding them: the
    /// caller releases their licenses instead of committing them (Apple keeps one association per serial).
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
                    foreach (var (rowKey, holder) in await ClaimExistingAsync(table, batch, reservationKey, ct)) held[byRowKey[rowKey]] = holder;
                }, cancellationToken);
        }));
        return held;
    }

    /// <summary>What a claim does with a target's row as it is now.</summary>
    enum ClaimMove { Write, Mine, Held }

    static ClaimMove Decide(LicenseTargetRow? row, string reservationKey) => row switch
    {
        null => ClaimMove.Write,
        // Claimed before (a redo), or claimed and revoked since: this reservation's either way.
        { State: LicenseState.Committed or LicenseState.Released } when row.ReservationKey == reservationKey => ClaimMove.Mine,
        { State: LicenseState.Reserved or LicenseState.Committed } when row.ReservationKey != reservationKey => ClaimMove.Held,
        _ => ClaimMove.Write,
    };

    /// <summary>
    /// One transaction of claims that met existing rows (e.g. a group assigned again after a
    /// revocation): its partition read once, then one transaction of the inserts and takeovers it
    /// still needs; if a row changed in between, row by row. Returns the row keys held by others.
    /// </summary>
    static async Task<Dictionary<string, string>> ClaimExistingAsync(TableClient table, IReadOnlyList<TableTransactionAction> batch, string reservationKey,
        CancellationToken cancellationToken)
    {
        var claims = batch.ToDictionary(a => a.Entity.RowKey, a => a.Entity, StringComparer.Ordinal);
        var now = new Dictionary<string, TableEntity>(StringComparer.Ordinal);
        await foreach (var row in table.QueryAsync(TableFilter.PartitionKey.Eq(batch[0].Entity.PartitionKey), cancellationToken: cancellationToken))
            if (claims.ContainsKey(row.RowKey)) now[row.RowKey] = row;
        var held = new Dictionary<string, string>(StringComparer.Ordinal);
        var writes = new List<TableTransactionAction>();
        foreach (var (rowKey, claim) in claims)
        {
            var row = now.TryGetValue(rowKey, out var entity) ? LicenseTargetRow.Read(entity) : null;
            switch (Decide(row, reservationKey))
            {
                case ClaimMove.Held: held[rowKey] = row!.Owner; break;
                case ClaimMove.Write: writes.Add(row is null ? new(TableTransactionActionType.Add, claim) : new(TableTransactionActionType.UpdateMerge, claim, row.ETag)); break;
            }
        }
        if (writes.Count == 0) return held;
        try
        {
            await table.SubmitTransactionAsync(writes, cancellationToken);
        }
        catch (StorageRequestFailedException e) when (e.IsConflict || e.IsPreconditionFailed || e.IsNotFound)
        {
            // Someone wrote one of them since the read: nothing of the transaction landed, so row by row.
            foreach (var write in writes)
                if (await ClaimOneAsync(table, write.Entity, reservationKey, cancellationToken) is { } holder) held[write.Entity.RowKey] = holder;
        }
        return held;
    }

    /// <summary>Claims one target row; null when it is this reservation's now, else the owner of the reservation holding it.</summary>
    static async Task<string?> ClaimOneAsync(TableClient table, TableEntity claim, string reservationKey, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var existing = await table.GetEntityAsync(claim.PartitionKey, claim.RowKey, cancellationToken: cancellationToken);
            var row = existing is null ? null : LicenseTargetRow.Read(existing);
            var move = Decide(row, reservationKey);
            if (move == ClaimMove.Held) return row!.Owner;
            if (move == ClaimMove.Mine) return null;
            try
            {
                if (row is null) await table.AddEntityAsync(claim, cancellationToken);
                else await table.UpdateEntityAsync(claim, row.ETag, TableUpdateMode.Merge, cancellationToken);
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
