using System.Security.Cryptography;
using System.Text;
using ManagedDistribution.Features.Devices.Protocol.Commands;
using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Devices.Commands;

/// <summary>One command put on one channel's queue.</summary>
public sealed record QueuedCommand(ChannelId Channel, string CommandUuid, string RequestType);

/// <summary>Commands queued on one channel, in order, and the push task that wakes it.</summary>
public sealed record EnqueueSequenceResult(IReadOnlyList<string> CommandUuids, string PushTaskId);

/// <summary>Commands queued for many channels, and the push task that wakes them.</summary>
public sealed record EnqueueManyResult(IReadOnlyList<QueuedCommand> Commands, string PushTaskId);

/// <summary>
/// Puts commands on per-channel FIFO queues (<c>commands</c> + <c>commandsbyuuid</c>) and asks the
/// push workflow (<see cref="IPushScheduler"/>) to wake the channels. With an idempotency key the
/// command UUIDs are derived from (channel, key, position), so a retried call finds and completes
/// what the first attempt wrote instead of queueing twice.
/// </summary>
public sealed class CommandQueue(DeviceTables tables, CommandStore store, IPushScheduler pushes, TimeProvider time)
{
    /// <summary>Channels written at once by <see cref="EnqueueManyAsync"/>: each is its own partition, so this is plain parallelism.</summary>
    public const int MaxParallelWrites = 32;

    public async Task<string> EnqueueAsync(ChannelId channel, MdmCommandPayload payload, string source, CancellationToken cancellationToken) =>
        (await EnqueueSequenceAsync(channel, [payload], source, null, cancellationToken)).CommandUuids[0];

    public async Task<string> EnqueueAsync(ChannelId channel, MdmCommandPayload payload, string source, string? idempotencyKey, CancellationToken cancellationToken) =>
        (await EnqueueSequenceAsync(channel, [payload], source, idempotencyKey, cancellationToken)).CommandUuids[0];

    /// <summary>Queues <paramref name="payloads"/> on one channel in this order, then schedules one push.</summary>
    public async Task<EnqueueSequenceResult> EnqueueSequenceAsync(ChannelId channel, IReadOnlyList<MdmCommandPayload> payloads, string source,
        string? idempotencyKey, CancellationToken cancellationToken)
    {
        var uuids = await WriteAsync(channel, payloads, source, idempotencyKey, cancellationToken);
        var taskId = await pushes.SchedulePushesAsync([channel], source, PushKey(idempotencyKey, uuids[0]), cancellationToken);
        return new EnqueueSequenceResult(uuids, taskId);
    }

    /// <summary>Queues the same command on every channel (bounded parallelism), then schedules one push wave for all of them.</summary>
    public async Task<EnqueueManyResult> EnqueueManyAsync(IReadOnlyCollection<ChannelId> channels, MdmCommandPayload payload, string source,
        string? idempotencyKey, CancellationToken cancellationToken)
    {
        var distinct = channels.Distinct().ToArray();
        var queued = new QueuedCommand[distinct.Length];
        await Parallel.ForAsync(0, distinct.Length, new ParallelOptions { MaxDegreeOfParallelism = MaxParallelWrites, CancellationToken = cancellationToken },
            async (i, ct) => queued[i] = new(distinct[i], (await WriteAsync(distinct[i], [payload], source, idempotencyKey, ct))[0], payload.RequestType));
        var taskId = distinct.Length == 0 ? ""
            : await pushes.SchedulePushesAsync(distinct, source, PushKey(idempotencyKey, queued[0].CommandUuid), cancellationToken);
        return new EnqueueManyResult(queued, taskId);
    }

    async Task<string[]> WriteAsync(ChannelId channel, IReadOnlyList<MdmCommandPayload> payloads, string source, string? idempotencyKey,
        CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        var now = time.GetUtcNow();
        var uuids = new string[payloads.Count];
        for (var i = 0; i < payloads.Count; i++)
        {
            var uuid = idempotencyKey is null ? Guid.NewGuid().ToString("D").ToUpperInvariant() : DerivedUuid(channel, idempotencyKey, i);
            var command = new CommandRecord
            {
                Channel = channel,
                RowKey = CommandRecord.RowKeyFor(now, i, uuid),
                CommandUuid = uuid,
                RequestType = payloads[i].RequestType,
                Payload = Encoding.UTF8.GetString(payloads[i].ToCommand(uuid).Encode()),
                Source = source,
                EnqueuedAt = now,
            };
            await store.AddAsync(command, cancellationToken);
            uuids[i] = uuid;
        }
        return uuids;
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
