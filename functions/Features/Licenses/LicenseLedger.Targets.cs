using System.Runtime.CompilerServices;
using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Licenses;

public sealed partial class LicenseLedger
{
    /// <summary>
    /// Sets the state of targets' license rows (e.g. committed for the serials an Apple event
    /// confirmed, released for those it refused), in transactions of up to 100 rows per bucket
    /// partition. Idempotent: it writes the state, it does not move counts (the reservation's
    /// commit/release does that).
    /// </summary>
    public async Task SetTargetStatesAsync(string contentId, IEnumerable<LicenseTarget> targets, LicenseState state,
        string owner, string reservationKey, CancellationToken cancellationToken = default)
    {
        var table = await licenses.GetAsync(cancellationToken);
        var rows = targets.Distinct().Select(t => LicenseTargetRow.ToEntity(contentId, t, state, owner, reservationKey)).ToList();
        if (rows.Count == 0) return;
        await MarkTargetsChangingAsync(table, contentId, cancellationToken);
        await WriteTargetRowsAsync(rows, TargetWrite.Overwrite, cancellationToken);
    }

    /// <summary>One target's license row, or null (one point read).</summary>
    public async Task<LicenseTargetRow?> GetTargetAsync(string contentId, LicenseTarget target, CancellationToken cancellationToken = default)
    {
        var table = await targetTables.ForTargetAsync(contentId, target, cancellationToken);
        var row = await table.GetEntityAsync(LicenseTargetLayout.PartitionKey(contentId, target), LicenseTargetLayout.RowKey(target),
            cancellationToken: cancellationToken);
        return row is null ? null : LicenseTargetRow.Read(row);
    }

    /// <summary>Every target row of the item (a query over its bucket partitions in each of its slice tables, side by side), in no particular order.</summary>
    public async IAsyncEnumerable<LicenseTargetRow> GetTargetsAsync(string contentId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var row in await targetTables.ReadItemAsync(contentId, null, cancellationToken))
            yield return LicenseTargetRow.Read(row);
    }

    /// <summary>The waiting list of the item, first come first served (request time order).</summary>
    public async Task<IReadOnlyList<WaitingEntry>> GetWaitingAsync(string contentId, CancellationToken cancellationToken = default)
    {
        var table = await licenses.GetAsync(cancellationToken);
        var entries = new List<WaitingEntry>();
        await foreach (var row in table.QueryAsync(RowPrefix(contentId, LicenseKeys.WaitingPrefix), cancellationToken: cancellationToken))
            entries.Add(WaitingEntry.Read(row));
        return entries;
    }

    /// <summary>Takes an entry off the waiting list (served, or its assignment withdrawn); false if it was not there.</summary>
    public async Task<bool> RemoveWaitingAsync(string contentId, WaitingEntry entry, CancellationToken cancellationToken = default)
    {
        var table = await licenses.GetAsync(cancellationToken);
        return await table.DeleteEntityAsync(contentId, LicenseKeys.WaitingRow(entry.RequestedAt, entry.IdempotencyKey), ETag.All, cancellationToken);
    }

    /// <summary>How <see cref="WriteTargetRowsAsync"/> treats rows that already exist.</summary>
    enum TargetWrite
    {
        /// <summary>Every row written (merge: all columns, so the same as a replace); usually rows that exist (merged, upserted where missing).</summary>
        Overwrite,
        /// <summary>Only rows that do not exist yet (a replay must not undo a state that moved on).</summary>
        AddMissing,
        /// <summary>Like <see cref="Overwrite"/>, for rows that are usually new: a batch is inserted, and merged only if one exists.</summary>
        AddOrOverwrite,
    }

    /// <summary>
    /// Writes target rows of one item (same shard) in transactions of up to 100 rows per bucket
    /// partition, several at once (<see cref="TableBulk"/>). Merge, not replace, to overwrite: every
    /// column is written every time (so the result is the same), and Azurite updates a merged row in
    /// place but re-numbers the whole table's indices for a replaced one; an insert is cheaper still
    /// (one partition walk less than an upsert). `write-kinds` benchmark, 50,000-row table:
    /// ~13,000 inserts/s, ~7,000 upsert-merges/s, ~3,400 upsert-replaces/s.
    /// </summary>
    async Task WriteTargetRowsAsync(IReadOnlyCollection<TableEntity> rows, TargetWrite mode, CancellationToken cancellationToken)
    {
        if (rows.Count == 0) return;
        var contentId = LicenseTargetLayout.ContentIdOf(rows.First().PartitionKey);
        await Task.WhenAll(rows.GroupBy(r => LicenseTargetLayout.SliceOfPartition(r.PartitionKey)).Select(async slice =>
            await WriteTargetRowsAsync(await targetTables.SliceAsync(contentId, slice.Key, cancellationToken), [.. slice], mode, cancellationToken)));
    }

    async Task WriteTargetRowsAsync(TableClient table, IReadOnlyCollection<TableEntity> rows, TargetWrite mode, CancellationToken cancellationToken)
    {
        if (mode == TargetWrite.Overwrite) await TableBulk.MergeOrUpsertAsync(table, rows, cancellationToken);
        else if (mode == TargetWrite.AddOrOverwrite) await TableBulk.AddOrUpsertAsync(table, rows, TableTransactionActionType.UpsertMerge, cancellationToken);
        else await TableBulk.SubmitAsync(table, rows.Select(e => new TableTransactionAction(TableTransactionActionType.Add, e)), AddEachMissingAsync, cancellationToken);

        // A batch that met an existing row: add its rows one by one, leaving the ones that exist alone.
        async Task AddEachMissingAsync(IReadOnlyList<TableTransactionAction> batch, StorageRequestFailedException failed, CancellationToken ct)
        {
            if (!failed.IsConflict) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failed);
            foreach (var action in batch)
            {
                try { await table.AddEntityAsync(action.Entity, ct); }
                catch (StorageRequestFailedException inner) when (inner.IsConflict) { }
            }
        }
    }

    static TableFilter RowPrefix(string contentId, string prefix) =>
        TableFilter.PartitionKey.Eq(contentId)
        & TableFilter.RowKey.Ge(prefix)
        & TableFilter.RowKey.Lt(LicenseKeys.PrefixEnd(prefix));
}
