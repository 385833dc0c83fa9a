using System.Collections.Concurrent;
using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Licenses;

public sealed partial class LicenseLedger
{
    /// <summary>
    /// Moves committed target rows to released only where each row is still as it was read (its
    /// ETag), stamping <paramref name="stepKey"/> on it, and returns the rows this step moved —
    /// with those an earlier attempt of the same step moved (a redelivery after a crash before the
    /// count). Return exactly these licenses (<see cref="ReturnAsync"/> with the same step key): two
    /// revokers of one target at once (a leave seen twice, a checkout during a leave) each read it
    /// committed, but only one moves it, so the license is returned once.
    /// </summary>
    public async Task<IReadOnlyList<LicenseTargetRow>> ReleaseTargetsOnceAsync(string contentId, IReadOnlyList<LicenseTargetRow> rows, string stepKey,
        CancellationToken cancellationToken = default)
    {
        var moved = rows.Where(r => r.State == LicenseState.Released && r.ReturnStep == stepKey).ToList();
        var committed = rows.Where(r => r.State == LicenseState.Committed).ToList();
        if (committed.Count == 0) return moved;
        await MarkTargetsChangingAsync(await licenses.GetAsync(cancellationToken), contentId, cancellationToken);
        foreach (var slice in committed.GroupBy(r => LicenseTargetLayout.SliceOfPartition(LicenseTargetLayout.PartitionKey(contentId, r.Target))))
        {
            var table = await targetTables.SliceAsync(contentId, slice.Key, cancellationToken);
            var byRowKey = slice.ToDictionary(r => LicenseTargetLayout.RowKey(r.Target), StringComparer.Ordinal); // a row key names one partition
            var notMoved = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
            await TableBulk.SubmitAsync(table,
                slice.Select(r => new TableTransactionAction(TableTransactionActionType.UpdateMerge, Released(contentId, r, stepKey), r.ETag)),
                async (batch, _, ct) =>
                {
                    // Some row changed since it was read (or went): one by one, to move the others.
                    foreach (var action in batch)
                        if (!await MoveOneAsync(table, contentId, byRowKey[action.Entity.RowKey], stepKey, ct)) notMoved[action.Entity.RowKey] = true;
                }, cancellationToken);
            moved.AddRange(slice.Where(r => !notMoved.ContainsKey(LicenseTargetLayout.RowKey(r.Target))));
        }
        return moved;
    }

    /// <summary>Moves one row if it is as read; true when this step moved it (now, or an attempt before whose answer was lost).</summary>
    async Task<bool> MoveOneAsync(TableClient table, string contentId, LicenseTargetRow row, string stepKey, CancellationToken cancellationToken)
    {
        try
        {
            await table.UpdateEntityAsync(Released(contentId, row, stepKey), row.ETag, TableUpdateMode.Merge, cancellationToken);
            return true;
        }
        catch (StorageRequestFailedException e) when (e.IsPreconditionFailed || e.IsNotFound)
        {
            var now = await table.GetEntityAsync(LicenseTargetLayout.PartitionKey(contentId, row.Target), LicenseTargetLayout.RowKey(row.Target),
                cancellationToken: cancellationToken);
            return now is not null && now.GetString("State") == nameof(LicenseState.Released) && now.GetString("ReturnStep") == stepKey;
        }
    }

    static TableEntity Released(string contentId, LicenseTargetRow row, string stepKey)
    {
        var entity = LicenseTargetRow.ToEntity(contentId, row.Target, LicenseState.Released, row.Owner, row.ReservationKey);
        entity["ReturnStep"] = stepKey;
        return entity;
    }
}
