using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Devices.Commands;

public sealed partial class CommandStore
{
    /// <summary>Operations per entity group transaction (the service's limit).</summary>
    const int BatchSize = 100;
    /// <summary>Transactions in flight at once during one add.</summary>
    const int WriteConcurrency = 16;

    /// <summary>Adds the command; if its UUID is already indexed (a retried idempotent enqueue), makes sure that row exists instead.</summary>
    public Task AddAsync(CommandRecord command, CancellationToken cancellationToken) => AddManyAsync([command], cancellationToken);

    /// <summary>Adds commands of ONE channel, in this order (see <see cref="AddManyAsync"/>).</summary>
    public Task AddSequenceAsync(IReadOnlyList<CommandRecord> commands, CancellationToken cancellationToken)
    {
        if (commands.Any(c => c.Channel != commands[0].Channel)) throw new ArgumentException("Commands of one channel only.", nameof(commands));
        return AddManyAsync(commands, cancellationToken);
    }

    /// <summary>
    /// Adds commands of any number of channels (each channel's in the given order). First every
    /// index row, in transactions per uuid bucket; then the command rows, in transactions per
    /// channel bucket, a channel's commands always in the same transaction, so a device never sees
    /// a later command before an earlier one. A batch that conflicts (a retried idempotent enqueue:
    /// same UUIDs) is redone row by row: only what is missing is written, at the row key the first
    /// attempt chose, never twice.
    /// </summary>
    public async Task AddManyAsync(IReadOnlyList<CommandRecord> commands, CancellationToken cancellationToken)
    {
        if (commands.Count == 0) return;
        await tables.EnsureCreatedAsync(cancellationToken);
        var rowKeys = new string?[commands.Count];
        var indexBatches = Enumerable.Range(0, commands.Count)
            .GroupBy(i => CommandKeys.IndexPartition(commands[i].CommandUuid), StringComparer.Ordinal)
            .SelectMany(bucket => bucket.Chunk(BatchSize));
        await Parallel.ForEachAsync(indexBatches, Parallelism(cancellationToken),
            async (batch, ct) => await IndexBatchAsync(commands, batch, rowKeys, ct));

        var missing = new List<(ChannelId Channel, TableEntity Entity)>(commands.Count);
        for (var i = 0; i < commands.Count; i++)
            if (rowKeys[i] is { } rowKey)
            {
                var entity = commands[i].ToEntity();
                entity.RowKey = rowKey;
                missing.Add((commands[i].Channel, entity));
            }
        await Parallel.ForEachAsync(PackByChannel(missing), Parallelism(cancellationToken),
            async (unit, ct) => { foreach (var batch in unit) await AddBatchAsync(batch, ct); });
    }

    /// <summary>Writes the index rows of one bucket; sets each command's row key still to write (null: that row exists).</summary>
    async Task IndexBatchAsync(IReadOnlyList<CommandRecord> commands, int[] batch, string?[] rowKeys, CancellationToken cancellationToken)
    {
        if (batch.Length > 1)
        {
            try
            {
                await tables.CommandsByUuid.SubmitTransactionAsync(
                    batch.Select(i => new TableTransactionAction(TableTransactionActionType.Add, IndexEntity(commands[i]))).ToList(), cancellationToken);
                foreach (var i in batch) rowKeys[i] = commands[i].RowKey;
                return;
            }
            catch (StorageRequestFailedException e) when (e.IsConflict)
            {
                // An earlier attempt of the same enqueue indexed some of them: row by row below.
            }
        }
        foreach (var i in batch) rowKeys[i] = await IndexAsync(commands[i], cancellationToken);
    }

    static TableEntity IndexEntity(CommandRecord command) => new(CommandKeys.IndexPartition(command.CommandUuid), command.CommandUuid)
    {
        ["Channel"] = command.Channel.ToString(),
        ["CommandRowKey"] = command.RowKey,
    };

    /// <summary>Writes the index row; returns the command row key still to write, or null when that row exists (an earlier attempt wrote it).</summary>
    async Task<string?> IndexAsync(CommandRecord command, CancellationToken cancellationToken)
    {
        try
        {
            await tables.CommandsByUuid.AddEntityAsync(IndexEntity(command), cancellationToken);
            return command.RowKey;
        }
        catch (StorageRequestFailedException e) when (e.IsConflict)
        {
            var existing = await tables.CommandsByUuid.GetEntityAsync(CommandKeys.IndexPartition(command.CommandUuid), command.CommandUuid,
                cancellationToken: cancellationToken);
            if (existing?.GetString("Channel") != command.Channel.ToString())
                throw new InvalidOperationException($"Command UUID {command.CommandUuid} is already used by another channel.", e);
            var rowKey = existing.GetString("CommandRowKey")!;
            return await tables.Commands.GetEntityAsync(CommandRecord.PartitionKeyFor(command.Channel), rowKey, cancellationToken: cancellationToken) is null
                ? rowKey : null;
        }
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
                await tables.Commands.SubmitTransactionAsync(batch.Select(e => new TableTransactionAction(TableTransactionActionType.Add, e)).ToList(),
                    cancellationToken);
                return;
            }
            catch (StorageRequestFailedException e) when (e.IsConflict)
            {
                // Some landed already (a concurrent retry): add the rest one by one, in order.
            }
        }
        foreach (var entity in batch) await AddIgnoringConflictAsync(entity, cancellationToken);
    }

    async Task AddIgnoringConflictAsync(TableEntity entity, CancellationToken cancellationToken)
    {
        try
        {
            await tables.Commands.AddEntityAsync(entity, cancellationToken);
        }
        catch (StorageRequestFailedException e) when (e.IsConflict)
        {
            // A concurrent retry of the same idempotent enqueue got there first.
        }
    }

    static ParallelOptions Parallelism(CancellationToken cancellationToken) =>
        new() { MaxDegreeOfParallelism = WriteConcurrency, CancellationToken = cancellationToken };
}
