using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Devices.Commands;

/// <summary>
/// Storage of commands: <c>commands</c> (PK channel, RK enqueued ticks + uuid: FIFO per channel) and
/// <c>commandsbyuuid</c> (PK uuid, RK "": the channel and row of a command). The index row is
/// written first, so a half-finished enqueue is completed by its retry, never duplicated.
/// </summary>
public sealed class CommandStore(DeviceTables tables)
{
    static readonly TableFilter Waiting = TableFilter.Property("Status").Eq(CommandStatuses.Queued)
        .Or(TableFilter.Property("Status").Eq(CommandStatuses.NotNow));
    static readonly TableFilter Pending = Waiting.Or(TableFilter.Property("Status").Eq(CommandStatuses.Sent));

    /// <summary>Adds the command; if its UUID is already indexed (a retried idempotent enqueue), makes sure that row exists instead.</summary>
    public Task AddAsync(CommandRecord command, CancellationToken cancellationToken) => AddSequenceAsync([command], cancellationToken);

    /// <summary>
    /// Adds commands of ONE channel: their index rows first (each its own partition), then the
    /// command rows in one transaction (one partition). A retried idempotent enqueue finds its index
    /// rows and writes only the command rows still missing.
    /// </summary>
    public async Task AddSequenceAsync(IReadOnlyList<CommandRecord> commands, CancellationToken cancellationToken)
    {
        if (commands.Count == 0) return;
        if (commands.Any(c => c.Channel != commands[0].Channel)) throw new ArgumentException("Commands of one channel only.", nameof(commands));
        await tables.EnsureCreatedAsync(cancellationToken);
        var rowKeys = await Task.WhenAll(commands.Select(command => IndexAsync(command, cancellationToken)));
        var missing = new List<TableEntity>(commands.Count);
        for (var i = 0; i < commands.Count; i++)
            if (rowKeys[i] is { } rowKey)
            {
                var entity = commands[i].ToEntity();
                entity.RowKey = rowKey;
                missing.Add(entity);
            }
        if (missing.Count == 1) await AddIgnoringConflictAsync(missing[0], cancellationToken);
        else if (missing.Count > 1)
        {
            try
            {
                await tables.Commands.SubmitTransactionAsync(missing.Select(e => new TableTransactionAction(TableTransactionActionType.Add, e)).ToList(), cancellationToken);
            }
            catch (StorageRequestFailedException e) when (e.IsConflict)
            {
                // Some landed already (a concurrent retry): add the rest one by one.
                foreach (var entity in missing) await AddIgnoringConflictAsync(entity, cancellationToken);
            }
        }
    }

    /// <summary>Writes the index row; returns the command row key still to write, or null when that row exists (an earlier attempt wrote it).</summary>
    async Task<string?> IndexAsync(CommandRecord command, CancellationToken cancellationToken)
    {
        var index = new TableEntity(command.CommandUuid, "")
        {
            ["Channel"] = command.Channel.ToString(),
            ["CommandRowKey"] = command.RowKey,
        };
        try
        {
            await tables.CommandsByUuid.AddEntityAsync(index, cancellationToken);
            return command.RowKey;
        }
        catch (StorageRequestFailedException e) when (e.IsConflict)
        {
            var existing = await tables.CommandsByUuid.GetEntityAsync(command.CommandUuid, "", cancellationToken: cancellationToken);
            if (existing?.GetString("Channel") != command.Channel.ToString())
                throw new InvalidOperationException($"Command UUID {command.CommandUuid} is already used by another channel.", e);
            var rowKey = existing.GetString("CommandRowKey")!;
            return await tables.Commands.GetEntityAsync(CommandRecord.PartitionKeyFor(command.Channel), rowKey, cancellationToken: cancellationToken) is null
                ? rowKey : null;
        }
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

    /// <summary>The command with this UUID if it belongs to <paramref name="channel"/>; null when unknown or someone else's.</summary>
    public async Task<CommandRecord?> FindAsync(ChannelId channel, string commandUuid, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        if (!KeySafe(commandUuid)) return null;
        if (!sent.TryGetValue(commandUuid, out var location))
        {
            var index = await tables.CommandsByUuid.GetEntityAsync(commandUuid, "", cancellationToken: cancellationToken);
            if (index is null) return null;
            location = (index.GetString("Channel")!, index.GetString("CommandRowKey")!);
        }
        if (location.Channel != channel.ToString()) return null;
        var entity = await tables.Commands.GetEntityAsync(CommandRecord.PartitionKeyFor(channel), location.RowKey, cancellationToken: cancellationToken);
        return entity is null ? null : CommandRecord.FromEntity(entity);
    }

    /// <summary>
    /// Where commands this process just sent live (the index row says the same and never changes), so
    /// the device's answer, which usually comes back to the same process, costs one read instead of two.
    /// Bounded: cleared when full; a miss reads the index.
    /// </summary>
    readonly System.Collections.Concurrent.ConcurrentDictionary<string, (string Channel, string RowKey)> sent = new(StringComparer.Ordinal);
    const int MaxRemembered = 100_000;

    public void RememberSent(CommandRecord command)
    {
        if (sent.Count >= MaxRemembered) sent.Clear();
        sent[command.CommandUuid] = (command.Channel.ToString(), command.RowKey);
    }

    /// <summary>Writes the command if nobody changed it since it was read; false on a lost race.</summary>
    public async Task<bool> TryReplaceAsync(CommandRecord command, CancellationToken cancellationToken)
    {
        try
        {
            command.ETag = await tables.Commands.UpdateEntityAsync(command.ToEntity(), command.ETag, cancellationToken: cancellationToken);
            return true;
        }
        catch (StorageRequestFailedException e) when (e.IsPreconditionFailed || e.IsNotFound)
        {
            return false;
        }
    }

    /// <summary>Queued, not-now and sent commands of a channel, oldest first (one partition, filtered by the service).</summary>
    public IAsyncEnumerable<CommandRecord> PendingAsync(ChannelId channel, CancellationToken cancellationToken) =>
        QueryAsync(channel, Pending, null, cancellationToken);

    /// <summary>Queued and not-now commands: what the push workflow waits on.</summary>
    public IAsyncEnumerable<CommandRecord> WaitingAsync(ChannelId channel, int? max, CancellationToken cancellationToken) =>
        QueryAsync(channel, Waiting, max, cancellationToken);

    /// <summary>The last <paramref name="count"/> commands of a channel, newest first (scans the partition; RKs run oldest first).</summary>
    public async Task<IReadOnlyList<CommandRecord>> RecentAsync(ChannelId channel, int count, CancellationToken cancellationToken)
    {
        var recent = new Queue<CommandRecord>(count + 1);
        await foreach (var command in QueryAsync(channel, null, null, cancellationToken))
        {
            recent.Enqueue(command);
            if (recent.Count > count) recent.Dequeue();
        }
        return recent.Reverse().ToList();
    }

    async IAsyncEnumerable<CommandRecord> QueryAsync(ChannelId channel, TableFilter? status, int? max,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        var filter = TableFilter.PartitionKey.Eq(CommandRecord.PartitionKeyFor(channel));
        if (status is not null) filter &= status;
        await foreach (var entity in tables.Commands.QueryAsync(filter, maxResults: max, cancellationToken: cancellationToken))
            yield return CommandRecord.FromEntity(entity);
    }

    /// <summary>Table keys may not hold / \ # ? or control characters; a device-sent UUID with them is simply unknown.</summary>
    static bool KeySafe(string key) =>
        key.Length is > 0 and <= 256 && !key.Any(c => c is '/' or '\\' or '#' or '?' || char.IsControl(c));
}
