namespace ManagedDistribution.Platform.Storage;

/// <summary>
/// A table created the first time a feature uses it in this process. A failed creation is
/// retried by the next caller instead of being cached.
/// </summary>
public sealed class TableOnFirstUse(TableClient table)
{
    readonly SemaphoreSlim gate = new(1, 1);
    volatile bool created;

    public TableOnFirstUse(TableServiceClient service, string name) : this(service.GetTableClient(name)) { }

    /// <summary>The table, created if this process has not done so yet.</summary>
    public async ValueTask<TableClient> GetAsync(CancellationToken cancellationToken)
    {
        if (created) return table;
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (!created) await table.CreateIfNotExistsAsync(cancellationToken);
            created = true;
            return table;
        }
        finally
        {
            gate.Release();
        }
    }
}
