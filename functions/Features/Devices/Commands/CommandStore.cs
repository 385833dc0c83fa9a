using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Devices.Commands;

/// <summary>
/// Storage of commands (layout: <see cref="CommandKeys"/>): <c>commands</c> (PK bucket of the
/// channel, RK channel + enqueued ticks + uuid: FIFO per channel) and <c>commandsbyuuid</c> (PK
/// bucket of the uuid, RK uuid: the channel and row of a command). The index row is written
/// first, so a half-finished enqueue is completed by its retry, never duplicated.
/// </summary>
public sealed partial class CommandStore(DeviceTables tables)
{
    static readonly TableFilter Waiting = TableFilter.Property("Status").Eq(CommandStatuses.Queued)
        .Or(TableFilter.Property("Status").Eq(CommandStatuses.NotNow));
    static readonly TableFilter Pending = Waiting.Or(TableFilter.Property("Status").Eq(CommandStatuses.Sent));

    /// <summary>The command with this UUID if it belongs to <paramref name="channel"/>; null when unknown or someone else's.</summary>
    public async Task<CommandRecord?> FindAsync(ChannelId channel, string commandUuid, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        if (!KeySafe(commandUuid)) return null;
        if (!sent.TryGetValue(commandUuid, out var location))
        {
            var index = await tables.CommandsByUuid.GetEntityAsync(CommandKeys.IndexPartition(commandUuid), commandUuid, cancellationToken: cancellationToken);
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

    /// <summary>Queued, not-now and sent commands of a channel, oldest first (one RowKey range, filtered by the service).</summary>
    public IAsyncEnumerable<CommandRecord> PendingAsync(ChannelId channel, CancellationToken cancellationToken) =>
        QueryAsync(channel, Pending, null, cancellationToken);

    /// <summary>Queued and not-now commands: what the push workflow waits on.</summary>
    public IAsyncEnumerable<CommandRecord> WaitingAsync(ChannelId channel, int? max, CancellationToken cancellationToken) =>
        QueryAsync(channel, Waiting, max, cancellationToken);

    /// <summary>The last <paramref name="count"/> commands of a channel, newest first (scans its range; RKs run oldest first).</summary>
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
        var (from, to) = CommandKeys.ChannelRange(channel);
        var filter = TableFilter.PartitionKey.Eq(CommandRecord.PartitionKeyFor(channel)) & TableFilter.RowKey.Ge(from) & TableFilter.RowKey.Lt(to);
        if (status is not null) filter &= status;
        var returned = 0;
        await foreach (var entity in tables.Commands.QueryAsync(filter, maxPerPage: max, cancellationToken: cancellationToken))
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
