using System.Security.Cryptography;
using System.Text;
using ManagedDistribution.Features.Devices.Protocol.Commands;
using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Devices.Commands;

/// <summary>One command put on one channel's queue.</summary>
public sealed record QueuedCommand(ChannelId Channel, string CommandUuid, string RequestType);

/// <summary>Commands queued on one channel, in order, and the push task that wakes it.</summary>
public sealed record EnqueueSequenceResult(IReadOnlyList<string> CommandUuids, string PushTaskId);

/// <summary>The commands to queue on one channel, in order.</summary>
public sealed record ChannelCommands(ChannelId Channel, IReadOnlyList<MdmCommandPayload> Payloads);

/// <summary>Commands queued for many channels, and the push task that wakes them.</summary>
public sealed record EnqueueManyResult(IReadOnlyList<QueuedCommand> Commands, string PushTaskId);

/// <summary>
/// Puts commands on per-channel FIFO queues (<c>commands</c>, see <see cref="CommandKeys"/>) and asks the
/// push workflow (<see cref="IPushScheduler"/>) to wake the channels. With an idempotency key the
/// command UUIDs are derived from (channel, key, position), so a retried call finds and completes
/// what the first attempt wrote instead of queueing twice.
/// </summary>
public sealed class CommandQueue(DeviceTables tables, CommandStore store, IPushScheduler pushes, TimeProvider time)
{
    public async Task<string> EnqueueAsync(ChannelId channel, MdmCommandPayload payload, string source, CancellationToken cancellationToken) =>
        (await EnqueueSequenceAsync(channel, [payload], source, null, cancellationToken)).CommandUuids[0];

    public async Task<string> EnqueueAsync(ChannelId channel, MdmCommandPayload payload, string source, string? idempotencyKey, CancellationToken cancellationToken) =>
        (await EnqueueSequenceAsync(channel, [payload], source, idempotencyKey, cancellationToken)).CommandUuids[0];

    /// <summary>Queues <paramref name="payloads"/> on one channel in this order, then schedules one push.</summary>
    public async Task<EnqueueSequenceResult> EnqueueSequenceAsync(ChannelId channel, IReadOnlyList<MdmCommandPayload> payloads, string source,
        string? idempotencyKey, CancellationToken cancellationToken)
    {
        var commands = Build(channel, payloads, source, idempotencyKey, time.GetUtcNow());
        await store.AddSequenceAsync(commands, cancellationToken);
        var uuids = commands.Select(c => c.CommandUuid).ToList();
        var taskId = await pushes.SchedulePushesAsync([channel], source, PushKey(idempotencyKey, uuids[0]), cancellationToken);
        return new EnqueueSequenceResult(uuids, taskId);
    }

    /// <summary>Queues the same command on every channel (batched writes), then schedules one push wave for all of them.</summary>
    public Task<EnqueueManyResult> EnqueueManyAsync(IReadOnlyCollection<ChannelId> channels, MdmCommandPayload payload, string source,
        string? idempotencyKey, CancellationToken cancellationToken) =>
        EnqueueManyAsync(channels.Distinct().Select(c => new ChannelCommands(c, [payload])).ToList(), source, idempotencyKey, cancellationToken);

    /// <summary>
    /// Queues each channel's commands in order, all channels together in 100-row transactions
    /// (<see cref="CommandStore.AddManyAsync"/>), then starts ONE push workflow for all of them.
    /// With a key, a retry re-finds the same command UUIDs and the same workflow (its key also
    /// names the channel set, so a different set under the same key gets its own).
    /// </summary>
    public async Task<EnqueueManyResult> EnqueueManyAsync(IReadOnlyList<ChannelCommands> work, string source, string? idempotencyKey,
        CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        var distinct = work.Where(w => w.Payloads.Count > 0).DistinctBy(w => w.Channel).ToArray();
        var now = time.GetUtcNow();
        var commands = distinct.SelectMany(w => Build(w.Channel, w.Payloads, source, idempotencyKey, now)).ToList();
        await store.AddManyAsync(commands, cancellationToken);
        var queued = commands.Select(c => new QueuedCommand(c.Channel, c.CommandUuid, c.RequestType)).ToList();
        var channels = distinct.Select(w => w.Channel).ToList();
        var taskId = channels.Count == 0 ? ""
            : await pushes.SchedulePushesAsync(channels, source, idempotencyKey is null ? PushKey(null, queued[0].CommandUuid) : ManyPushKey(idempotencyKey, channels),
                cancellationToken);
        return new EnqueueManyResult(queued, taskId);
    }

    /// <summary>The rows of one channel's commands; position i is enqueued at <paramref name="now"/> + i ticks (FIFO).</summary>
    static CommandRecord[] Build(ChannelId channel, IReadOnlyList<MdmCommandPayload> payloads, string source, string? idempotencyKey, DateTimeOffset now)
    {
        var commands = new CommandRecord[payloads.Count];
        for (var i = 0; i < payloads.Count; i++)
        {
            var uuid = idempotencyKey is null ? Guid.NewGuid().ToString("D").ToUpperInvariant() : DerivedUuid(channel, idempotencyKey, i);
            commands[i] = new CommandRecord
            {
                Channel = channel,
                RowKey = CommandRecord.RowKeyFor(channel, uuid),
                CommandUuid = uuid,
                RequestType = payloads[i].RequestType,
                Payload = Encoding.UTF8.GetString(payloads[i].ToCommand(uuid).Encode()),
                Source = source,
                EnqueuedAt = now.AddTicks(i),
            };
        }
        return commands;
    }

    /// <summary>The key plus a digest of the (ordered) channel set.</summary>
    static string ManyPushKey(string idempotencyKey, IEnumerable<ChannelId> channels)
    {
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', channels.Select(c => c.ToString()).Order(StringComparer.Ordinal))));
        return $"commands:{idempotencyKey}:{Convert.ToHexStringLower(digest, 0, 12)}";
    }

    static string PushKey(string? idempotencyKey, string firstUuid) => idempotencyKey is null ? "commands:" + firstUuid : "commands:" + idempotencyKey;

    /// <summary>A name-based UUID (SHA-256 of channel, key and position; version/variant bits set as for v5).</summary>
    static string DerivedUuid(ChannelId channel, string idempotencyKey, int position)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{channel}\n{idempotencyKey}\n{position}"));
        var bytes = hash.AsSpan(0, 16).ToArray();
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x50);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true).ToString("D").ToUpperInvariant();
    }
}
