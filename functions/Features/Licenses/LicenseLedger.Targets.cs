using System.Runtime.CompilerServices;
using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Licenses;

public sealed partial class LicenseLedger
{
    /// <summary>
    /// Sets the state of targets' license rows (e.g. committed for the serials an Apple event
    /// confirmed, released for those it refused), in 100-row transactions. Idempotent: it writes
    /// the state, it does not move counts (the reservation's commit/release does that).
    /// </summary>
    public async Task SetTargetStatesAsync(string contentId, IEnumerable<LicenseTarget> targets, LicenseState state,
        string owner, string reservationKey, CancellationToken cancellationToken = default)
    {
        var table = await licenses.GetAsync(cancellationToken);
        var now = time.GetUtcNow();
        var rows = targets.Distinct().Select(t => LicenseTargetRow.ToEntity(contentId, t, state, owner, reservationKey, now)).ToList();
        if (rows.Count == 0) return;
        await MarkTargetsChangingAsync(table, contentId, cancellationToken);
        await WriteInBatchesAsync(table, rows, cancellationToken);
    }

    /// <summary>One target's license row, or null.</summary>
    public async Task<LicenseTargetRow?> GetTargetAsync(string contentId, LicenseTarget target, CancellationToken cancellationToken = default)
    {
        var table = await licenses.GetAsync(cancellationToken);
        var row = await table.GetEntityAsync(contentId, LicenseKeys.TargetRow(target), cancellationToken: cancellationToken);
        return row is null ? null : LicenseTargetRow.Read(row);
    }

    /// <summary>Every target row of the item (one range query over its partition).</summary>
    public async IAsyncEnumerable<LicenseTargetRow> GetTargetsAsync(string contentId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var table = await licenses.GetAsync(cancellationToken);
        await foreach (var row in table.QueryAsync(RowPrefix(contentId, LicenseKeys.TargetPrefix), cancellationToken: cancellationToken))
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

    static TableFilter RowPrefix(string contentId, string prefix) =>
        TableFilter.PartitionKey.Eq(contentId)
        & TableFilter.RowKey.Ge(prefix)
        & TableFilter.RowKey.Lt(LicenseKeys.PrefixEnd(prefix));
}
