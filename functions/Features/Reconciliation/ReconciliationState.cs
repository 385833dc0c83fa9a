using ManagedDistribution.Features.Licenses;
using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Reconciliation;

/// <summary>A location's Get Assignments cursor: the <c>versionId</c> to read changes since, and when it was last read in full.</summary>
public sealed record AssignmentCursor(string LocationUId, string VersionId, DateTimeOffset LastFullReadAt);

/// <summary>
/// What reconciliation remembers between runs (table <c>reconciliationstate</c>):
/// <list type="bullet">
/// <item><c>lock</c>/<c>run</c>: the run in progress (one at a time, taken with If-Match / If-None-Match);</item>
/// <item><c>cursor</c>/<c>{uId}</c>: the location's <see cref="AssignmentCursor"/>;</item>
/// <item><c>orphans</c>/<c>{contentId}</c>: how many of Apple's assignments of the item are not ours, as last
/// counted in full; an incremental run expects Apple's assigned count to be ours + these + what changed.</item>
/// </list>
/// </summary>
public sealed class ReconciliationState(TableServiceClient service)
{
    public const string TableName = "reconciliationstate";
    const string LockPartition = "lock";
    const string LockRow = "run";
    const string CursorPartition = "cursor";
    const string OrphansPartition = "orphans";

    readonly TableOnFirstUse state = new(service, TableName);

    /// <summary>The run holding the lock and the lock's ETag (default when there is no lock row).</summary>
    public async Task<(string? RunId, ETag ETag)> GetLockAsync(CancellationToken cancellationToken)
    {
        var table = await state.GetAsync(cancellationToken);
        var row = await table.GetEntityAsync(LockPartition, LockRow, cancellationToken: cancellationToken);
        return row is null ? (null, default) : (row.GetString("RunId"), row.ETag);
    }

    /// <summary>Takes the lock for <paramref name="runId"/> if it is still as read; false when someone else was faster.</summary>
    public async Task<bool> TryTakeLockAsync(string runId, ETag seen, CancellationToken cancellationToken)
    {
        var table = await state.GetAsync(cancellationToken);
        var row = new TableEntity(LockPartition, LockRow) { ["RunId"] = runId };
        try
        {
            if (seen == default) await table.AddEntityAsync(row, cancellationToken);
            else await table.UpdateEntityAsync(row, seen, cancellationToken: cancellationToken);
            return true;
        }
        catch (StorageRequestFailedException e) when (e.IsConflict || e.IsPreconditionFailed || e.IsNotFound)
        {
            return false;
        }
    }

    /// <summary>Frees the lock if <paramref name="runId"/> still holds it.</summary>
    public async Task ReleaseLockAsync(string runId, CancellationToken cancellationToken)
    {
        var (holder, etag) = await GetLockAsync(cancellationToken);
        if (holder != runId) return;
        var table = await state.GetAsync(cancellationToken);
        await table.DeleteEntityAsync(LockPartition, LockRow, etag, cancellationToken);
    }

    public async Task<AssignmentCursor?> GetCursorAsync(string uId, CancellationToken cancellationToken)
    {
        var table = await state.GetAsync(cancellationToken);
        var row = await table.GetEntityAsync(CursorPartition, LicenseKeys.SafeKey(uId), cancellationToken: cancellationToken);
        return row?.GetString("VersionId") is { } version
            ? new AssignmentCursor(uId, version, row.GetDateTimeOffset("LastFullReadAt") ?? DateTimeOffset.MinValue)
            : null;
    }

    public async Task SaveCursorAsync(AssignmentCursor cursor, CancellationToken cancellationToken)
    {
        var table = await state.GetAsync(cancellationToken);
        await table.UpsertEntityAsync(new TableEntity(CursorPartition, LicenseKeys.SafeKey(cursor.LocationUId))
        {
            ["VersionId"] = cursor.VersionId, ["LastFullReadAt"] = cursor.LastFullReadAt,
        }, cancellationToken: cancellationToken);
    }

    public async Task DeleteCursorAsync(string uId, CancellationToken cancellationToken)
    {
        var table = await state.GetAsync(cancellationToken);
        await table.DeleteEntityAsync(CursorPartition, LicenseKeys.SafeKey(uId), ETag.All, cancellationToken);
    }

    /// <summary>Orphan counts of a location's items (content ids start with <c>vpp-{uId}-</c>).</summary>
    public async Task<Dictionary<string, int>> GetOrphanCountsAsync(string uId, CancellationToken cancellationToken)
    {
        var table = await state.GetAsync(cancellationToken);
        var prefix = $"vpp-{uId}-";
        var filter = TableFilter.PartitionKey.Eq(OrphansPartition) & TableFilter.RowKey.Ge(prefix) & TableFilter.RowKey.Lt(LicenseKeys.PrefixEnd(prefix));
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        await foreach (var row in table.QueryAsync(filter, cancellationToken: cancellationToken))
            counts[row.GetString("ContentId") ?? row.RowKey] = row.GetInt32("Orphans") ?? 0;
        return counts;
    }

    /// <summary>Writes the orphan counts of the items compared in full (100-row batches).</summary>
    public async Task SaveOrphanCountsAsync(IEnumerable<KeyValuePair<string, int>> counts, CancellationToken cancellationToken)
    {
        var table = await state.GetAsync(cancellationToken);
        foreach (var chunk in counts.Chunk(100))
            await table.SubmitTransactionAsync([.. chunk.Select(c => new TableTransactionAction(TableTransactionActionType.UpsertReplace,
                new TableEntity(OrphansPartition, LicenseKeys.SafeKey(c.Key)) { ["ContentId"] = c.Key, ["Orphans"] = c.Value }))], cancellationToken);
    }
}
