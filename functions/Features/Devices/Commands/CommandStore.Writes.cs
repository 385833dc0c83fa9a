using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Devices.Commands;

public sealed partial class CommandStore
{
    /// <summary>Operations per entity group transaction (the service's limit).</summary>
    const int BatchSize = 100;
    /// <summary>Transactions in flight at once during one add.</summary>
    const int WriteConcurrency = 16;
    /// <summary>Channels of one conflicting transaction redone at once, row by row.</summary>
    const int RowFallbackConcurrency = 8;

    /// <summary>Adds the command; if it exists already (a retried idempotent enqueue), leaves it as it is.</summary>
    public Task AddAsync(CommandRecord command, CancellationToken cancellationToken) => AddManyAsync([command], cancellationToken);

    /// <summary>Adds commands of ONE channel, in this order (see <see cref="AddManyAsync"/>).</summary>
    public Task AddSequenceAsync(IReadOnlyList<CommandRecord> commands, CancellationToken cancellationToken)
    {
        if (commands.Any(c => c.Channel != commands[0].Channel)) throw new ArgumentException("Commands of one channel only.", nameof(commands));
        return AddManyAsync(commands, cancellationToken);
    }

    /// <summary>
    /// Adds commands of any number of channels (each channel's in the given order) in transactions
    /// per channel bucket, a channel's commands always in the same transaction, so a device never
    /// sees a later command before an earlier one. A batch that conflicts (a retried idempotent
    /// enqueue: same uuids, so same keys) is redone row by row, in order: what exists is left as
    /// it is, only what is missing is written, never twice.
    /// </summary>
    public async Task AddManyAsync(IReadOnlyList<CommandRecord> commands, CancellationToken cancellationToken)
    {
        if (commands.Count == 0) return;
        await tables.EnsureCreatedAsync(cancellationToken);
        var rows = commands.Select(c => (c.Channel, Entity: c.ToEntity())).ToList();
        await Parallel.ForEachAsync(PackByChannel(rows), new ParallelOptions { MaxDegreeOfParallelism = WriteConcurrency, CancellationToken = cancellationToken },
            async (unit, ct) => { foreach (var batch in unit) await AddBatchAsync(batch, ct); });
    }

    /// <summary>
    /// Command rows cut into transactions per partition, whole channels per transaction. Each unit
    /// is submitted in order; only a channel with more than 100 new commands needs a unit of several.
    /// </summary>
    static IEnumerable<List<TableEntity>[]> PackByChannel(List<(ChannelId Channel, TableEntity Entity)> rows)
    {
        foreach (var partition in rows.GroupBy(r => r.Entity.PartitionKey, StringComparer.Ordinal))
        {
            var batch = new List<TableEntity>(BatchSize);
            foreach (var channel in partition.GroupBy(r => r.Channel))
            {
                var entities = channel.Select(r => r.Entity).ToList();
                if (entities.Count > BatchSize)
                {
                    yield return [.. entities.Chunk(BatchSize).Select(c => c.ToList())];
                    continue;
                }
                if (batch.Count + entities.Count > BatchSize)
                {
                    yield return [batch];
                    batch = new List<TableEntity>(BatchSize);
                }
                batch.AddRange(entities);
            }
            if (batch.Count > 0) yield return [batch];
        }
    }

    async Task AddBatchAsync(List<TableEntity> batch, CancellationToken cancellationToken)
    {
        if (batch.Count > 1)
        {
            try
            {
                var table = await tables.Commands.OfPartitionAsync(batch[0].PartitionKey, cancellationToken);
                await table.SubmitTransactionAsync(batch.Select(e => new TableTransactionAction(TableTransactionActionType.Add, e)).ToList(),
                    cancellationToken);
                return;
            }
            catch (StorageRequestFailedException e) when (e.IsConflict)
            {
                // Some exist already (a retried enqueue): add the rest one by one, channels side by side, each channel's in order.
                await Parallel.ForEachAsync(batch.GroupBy(e => CommandKeys.ChannelOf(e.RowKey)),
                    new ParallelOptions { MaxDegreeOfParallelism = RowFallbackConcurrency, CancellationToken = cancellationToken },
                    async (channel, ct) => { foreach (var entity in channel) await AddIgnoringConflictAsync(entity, ct); });
                return;
            }
        }
        foreach (var entity in batch) await AddIgnoringConflictAsync(entity, cancellationToken);
    }

    async Task AddIgnoringConflictAsync(TableEntity entity, CancellationToken cancellationToken)
    {
        try
        {
            var table = await tables.Commands.OfPartitionAsync(entity.PartitionKey, cancellationToken);
            await table.AddEntityAsync(entity, cancellationToken);
        }
        catch (StorageRequestFailedException e) when (e.IsConflict)
        {
            // An earlier or concurrent attempt of the same idempotent enqueue got there first.
        }
    }
}
