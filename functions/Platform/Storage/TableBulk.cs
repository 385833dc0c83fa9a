namespace ManagedDistribution.Platform.Storage;

/// <summary>
/// Bulk table work for the directory: entity group transactions of up to 100 operations per
/// partition, many batches in flight at once (bounded), and parallel point reads.
/// </summary>
public static class TableBulk
{
    public const int BatchSize = 100;

    /// <summary>How many requests one bulk operation keeps in flight against storage.</summary>
    public const int Concurrency = 16;

    /// <summary>
    /// Groups <paramref name="actions"/> by partition, cuts each partition into transactions of at
    /// most 100 and submits them with bounded concurrency. Single-operation partitions go out as
    /// plain single-entity requests (a lone delete of a missing row is not an error). When a transaction fails,
    /// <paramref name="onFailed"/> gets its actions (e.g. to redo them one by one); without it the
    /// failure propagates.
    /// </summary>
    public static Task SubmitAsync(TableClient table, IEnumerable<TableTransactionAction> actions,
        Func<IReadOnlyList<TableTransactionAction>, StorageRequestFailedException, CancellationToken, Task>? onFailed,
        CancellationToken cancellationToken)
    {
        var batches = actions
            .GroupBy(a => a.Entity.PartitionKey, StringComparer.Ordinal)
            .SelectMany(partition => partition.Chunk(BatchSize))
            .ToList();
        return Parallel.ForEachAsync(batches, Options(cancellationToken), async (batch, token) =>
        {
            try
            {
                // A lone upsert or delete is cheaper as a plain request than as a one-part batch.
                if (batch is [{ ActionType: TableTransactionActionType.UpsertReplace or TableTransactionActionType.UpsertMerge } upsert])
                    await table.UpsertEntityAsync(upsert.Entity,
                        upsert.ActionType == TableTransactionActionType.UpsertMerge ? TableUpdateMode.Merge : TableUpdateMode.Replace, token);
                else if (batch is [{ ActionType: TableTransactionActionType.Delete } delete])
                    await table.DeleteEntityAsync(delete.Entity.PartitionKey, delete.Entity.RowKey, delete.IfMatch, token);
                else
                    await table.SubmitTransactionAsync(batch, token);
            }
            catch (StorageRequestFailedException failed) when (onFailed is not null)
            {
                await onFailed(batch, failed, token);
            }
        });
    }

    /// <summary>
    /// For <see cref="SubmitAsync"/> of deletes: a transaction fails whole when one of its rows is
    /// already gone (deleted by someone else meanwhile), so it is redone row by row, where a missing
    /// row is no error. Other failures propagate.
    /// </summary>
    public static Func<IReadOnlyList<TableTransactionAction>, StorageRequestFailedException, CancellationToken, Task> DeleteOneByOne(TableClient table) =>
        async (batch, failure, cancellationToken) =>
        {
            if (!failure.IsNotFound) throw failure;
            foreach (var action in batch)
                await table.DeleteEntityAsync(action.Entity.PartitionKey, action.Entity.RowKey, ETag.All, cancellationToken);
        };

    /// <summary>
    /// Writes rows that are most likely new: inserted in transactions as <see cref="SubmitAsync"/>
    /// does, and a transaction that meets an existing row (409, nothing of it landed) is redone with
    /// <paramref name="upsert"/> (<c>UpsertReplace</c> or <c>UpsertMerge</c>). Same result as
    /// upserting everything; cheaper on Azurite, whose upsert looks a row up twice.
    /// </summary>
    public static Task AddOrUpsertAsync(TableClient table, IEnumerable<TableEntity> rows, TableTransactionActionType upsert,
        CancellationToken cancellationToken) =>
        SubmitOrRedoAsync(table, rows.Select(e => new TableTransactionAction(TableTransactionActionType.Add, e)), f => f.IsConflict, upsert, cancellationToken);

    /// <summary>
    /// Merges rows that most likely exist (every column written, so the result is an upsert-merge's):
    /// <c>UpdateMerge</c> with <c>If-Match: *</c> in transactions as <see cref="SubmitAsync"/> does,
    /// and a transaction that meets a missing row (404, nothing of it landed) is redone as
    /// <c>UpsertMerge</c>. Cheaper on Azurite, whose upsert looks the row up twice (once to choose
    /// insert or merge, once more in the merge) where a merge looks once.
    /// </summary>
    public static Task MergeOrUpsertAsync(TableClient table, IEnumerable<TableEntity> rows, CancellationToken cancellationToken) =>
        SubmitOrRedoAsync(table, rows.Select(e => new TableTransactionAction(TableTransactionActionType.UpdateMerge, e, ETag.All)), f => f.IsNotFound,
            TableTransactionActionType.UpsertMerge, cancellationToken);

    /// <summary><see cref="SubmitAsync"/>; a transaction that fails as <paramref name="redoWhen"/> says (nothing of it landed) is redone as <paramref name="redoAs"/>.</summary>
    static Task SubmitOrRedoAsync(TableClient table, IEnumerable<TableTransactionAction> actions, Func<StorageRequestFailedException, bool> redoWhen,
        TableTransactionActionType redoAs, CancellationToken cancellationToken) =>
        SubmitAsync(table, actions, async (batch, failed, token) =>
        {
            if (!redoWhen(failed)) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failed);
            await SubmitAsync(table, batch.Select(a => new TableTransactionAction(redoAs, a.Entity)), null, token);
        }, cancellationToken);

    /// <summary>Runs <paramref name="work"/> for each item with bounded concurrency.</summary>
    public static Task ForEachAsync<T>(IEnumerable<T> items, Func<T, CancellationToken, ValueTask> work, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(items, Options(cancellationToken), work);

    static ParallelOptions Options(CancellationToken cancellationToken) =>
        new() { MaxDegreeOfParallelism = Concurrency, CancellationToken = cancellationToken };
}
