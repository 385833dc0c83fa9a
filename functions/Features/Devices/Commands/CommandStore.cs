using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Devices.Commands;

/// <summary>
/// Storage of commands in <c>commands</c> (layout: <see cref="CommandKeys"/>: PK bucket of the
/// channel, RK channel + uuid). The keys follow from the uuid, so a half-finished idempotent
/// enqueue is completed by its retry (same uuids), never duplicated.
/// </summary>
public sealed partial class CommandStore(DeviceTables tables)
{
    static readonly TableFilter Waiting = TableFilter.Property("Status").Eq(CommandStatuses.Queued)
        .Or(TableFilter.Property("Status").Eq(CommandStatuses.NotNow));
    static readonly TableFilter Pending = Waiting.Or(TableFilter.Property("Status").Eq(CommandStatuses.Sent));

    /// <summary>Whether the channel has a queued or not-now command (one range query, one row at most).</summary>
    public async Task<bool> HasWaitingAsync(ChannelId channel, CancellationToken cancellationToken)
    {
        await foreach (var _ in WaitingAsync(channel, 1, cancellationToken)) return true;
        return false;
    }

    /// <summary>A bucket holding at least this many of the channels asked about is read with one query instead of one per channel.</summary>
    const int BucketQueryThreshold = 4;

    /// <summary>
    /// Which of these channels have waiting (queued or not-now) commands: one query per command
    /// bucket holding several of them (its waiting rows' keys only), else one range query per
    /// channel. A push wave asks this for its 500 channels at once; one query per channel was 500
    /// queries per wave, each of which Azurite evaluates against every row of its table.
    /// </summary>
    public async Task<IReadOnlySet<ChannelId>> WaitingChannelsAsync(IReadOnlyCollection<ChannelId> channels, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        var waiting = new System.Collections.Concurrent.ConcurrentDictionary<ChannelId, bool>();
        var buckets = channels.Distinct().GroupBy(CommandRecord.PartitionKeyFor, StringComparer.Ordinal).Select(b => (b.Key, Channels: b.ToList())).ToList();
        await TableBulk.ForEachAsync(buckets, async (bucket, token) =>
        {
            if (bucket.Channels.Count < BucketQueryThreshold)
            {
                foreach (var channel in bucket.Channels)
                    if (await HasWaitingAsync(channel, token)) waiting[channel] = true;
                return;
            }
            var wanted = bucket.Channels.ToHashSet();
            var table = await tables.Commands.OfPartitionAsync(bucket.Key, token);
            await foreach (var row in table.QueryAsync(TableFilter.PartitionKey.Eq(bucket.Key) & Waiting, ["RowKey"], cancellationToken: token))
                if (CommandKeys.ChannelOf(row.RowKey) is var channel && wanted.Contains(channel)) waiting[channel] = true;
        }, cancellationToken);
        return waiting.Keys.ToHashSet();
    }

    /// <summary>The command with this UUID if it belongs to <paramref name="channel"/>; null when unknown or someone else's (one point read).</summary>
    public async Task<CommandRecord?> FindAsync(ChannelId channel, string commandUuid, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        if (!KeySafe(commandUuid)) return null;
        var table = await tables.Commands.OfPartitionAsync(CommandRecord.PartitionKeyFor(channel), cancellationToken);
        var entity = await table.GetEntityAsync(CommandRecord.PartitionKeyFor(channel), CommandRecord.RowKeyFor(channel, commandUuid),
            cancellationToken: cancellationToken);
        return entity is null ? null : CommandRecord.FromEntity(entity);
    }

    /// <summary>Writes the command if nobody changed it since it was read; false on a lost race.</summary>
    public async Task<bool> TryReplaceAsync(CommandRecord command, CancellationToken cancellationToken)
    {
        try
        {
            var table = await tables.Commands.OfPartitionAsync(CommandRecord.PartitionKeyFor(command.Channel), cancellationToken);
            command.ETag = await table.UpdateEntityAsync(command.ToEntity(), command.ETag, cancellationToken: cancellationToken);
            return true;
        }
        catch (StorageRequestFailedException e) when (e.IsPreconditionFailed || e.IsNotFound)
        {
            return false;
        }
    }

    /// <summary>Queued, not-now and sent commands of a channel, oldest first (one RowKey range, filtered by the service).</summary>
    public async IAsyncEnumerable<CommandRecord> PendingAsync(ChannelId channel,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var pending = new List<CommandRecord>();
        await foreach (var command in QueryAsync(channel, Pending, null, cancellationToken)) pending.Add(command);
        foreach (var command in InQueueOrder(pending)) yield return command;
    }

    /// <summary>Queued and not-now commands, in no particular order: what the push workflow waits on.</summary>
    public IAsyncEnumerable<CommandRecord> WaitingAsync(ChannelId channel, int? max, CancellationToken cancellationToken) =>
        QueryAsync(channel, Waiting, max, cancellationToken);

    /// <summary>The last <paramref name="count"/> commands of a channel, newest first (reads its whole range).</summary>
    public async Task<IReadOnlyList<CommandRecord>> RecentAsync(ChannelId channel, int count, CancellationToken cancellationToken)
    {
        var all = new List<CommandRecord>();
        await foreach (var command in QueryAsync(channel, null, null, cancellationToken)) all.Add(command);
        return InQueueOrder(all).Reverse().Take(count).ToList();
    }

    /// <summary>FIFO: by <see cref="CommandRecord.EnqueuedAt"/> (RowKeys run by uuid), ties by RowKey.</summary>
    static IEnumerable<CommandRecord> InQueueOrder(IEnumerable<CommandRecord> commands) =>
        commands.OrderBy(c => c.EnqueuedAt).ThenBy(c => c.RowKey, StringComparer.Ordinal);

    async IAsyncEnumerable<CommandRecord> QueryAsync(ChannelId channel, TableFilter? status, int? max,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        var (from, to) = CommandKeys.ChannelRange(channel);
        var filter = TableFilter.PartitionKey.Eq(CommandRecord.PartitionKeyFor(channel)) & TableFilter.RowKey.Ge(from) & TableFilter.RowKey.Lt(to);
        if (status is not null) filter &= status;
        var returned = 0;
        var table = await tables.Commands.OfPartitionAsync(CommandRecord.PartitionKeyFor(channel), cancellationToken);
        await foreach (var entity in table.QueryAsync(filter, maxPerPage: max is { } m ? Math.Min(m, TableClient.MaxPageSize) : null, cancellationToken: cancellationToken))
        {
            // The range also holds channels whose id continues with the separator ("a" and "a|b"): skip theirs.
            if (!CommandKeys.IsOf(entity.RowKey, channel)) continue;
            yield return CommandRecord.FromEntity(entity);
            if (++returned == max) yield break;
        }
    }

    /// <summary>Table keys may not hold / \ # ? or control characters; a device-sent UUID with them is simply unknown.</summary>
    static bool KeySafe(string key) =>
        key.Length is > 0 and <= 256 && !key.Any(c => c is '/' or '\\' or '#' or '?' || char.IsControl(c));
}
