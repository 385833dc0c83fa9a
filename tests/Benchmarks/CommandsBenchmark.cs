using System.Diagnostics;
using ManagedDistribution.Features.Devices;
using ManagedDistribution.Features.Devices.Commands;
using ManagedDistribution.Features.Devices.Protocol.Commands;
using ManagedDistribution.Features.Devices.Push;
using ManagedDistribution.Platform.Storage;
using ManagedDistribution.Platform.Workflows;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ManagedDistribution.Benchmarks;

/// <summary>
/// `commands`: <see cref="CommandQueue.EnqueueManyAsync(IReadOnlyCollection{ChannelId}, MdmCommandPayload, string, string?, CancellationToken)"/>
/// of one InstallApplication payload to N channels (default 50,000) with an idempotency key, in
/// process against the run's storage, with the real push scheduler (the push workflow's rows and
/// first-wave messages; nothing consumes them). Prints commands/s, the command-write and push
/// scheduling phases, then an idempotent replay of the first --replay channels (default 1,000),
/// next to the batched-write and single-insert ceilings of the same run.
/// Options: --channels N, --replay N.
/// </summary>
public static class CommandsBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var count = BenchmarkOptions.Int(args, "--channels", 50_000);
        var replay = Math.Min(count, BenchmarkOptions.Int(args, "--replay", 1_000));
        await using var storage = await BenchmarkStorage.StartAsync();
        var ceilings = new StorageCeilings(storage);
        var batched = await ceilings.TableBatchedEntitiesPerSecondAsync(20_000, 8);
        var single = await ceilings.TableSingleInsertsPerSecondAsync(5_000, 16);
        var payload = new InstallApplicationCommand { ITunesStoreId = 361309726 };
        var sameRows = await CommandRowsCeilingAsync(storage, payload, 10_000);

        var options = BenchmarkStorage.Prefixed($"cmd{Environment.ProcessId % 10000}");
        var tables = new DeviceTables(new TableServiceClient(storage.Account, options));
        var engine = new WorkflowEngine(new TableServiceClient(storage.Account, options), new QueueServiceClient(storage.Account, options),
            TimeProvider.System, NullLogger<WorkflowEngine>.Instance);
        var pushes = new TimedScheduler(new PushScheduler(engine, new ServiceCollection().BuildServiceProvider(), Options.Create(new PushOptions()))); // no push targets: only the schedule is timed
        var queue = new CommandQueue(tables, new CommandStore(tables), pushes, TimeProvider.System);

        await queue.EnqueueManyAsync(Channels(10, "warm"), payload, "bench", "warm-up", default);
        var channels = Channels(count, "dev");
        var encode = Stopwatch.StartNew();
        foreach (var channel in channels)
        {
            var uuid = Guid.NewGuid().ToString("D").ToUpperInvariant();
            _ = new CommandRecord
            {
                Channel = channel, RowKey = CommandRecord.RowKeyFor(channel, uuid), CommandUuid = uuid, RequestType = payload.RequestType,
                Payload = System.Text.Encoding.UTF8.GetString(payload.ToCommand(uuid).Encode()), Source = "bench", EnqueuedAt = DateTimeOffset.UtcNow,
            }.ToEntity();
        }
        Report.Line("commands: client CPU to build the rows", encode.Elapsed.TotalMilliseconds, "ms");
        var clock = Stopwatch.StartNew();
        var result = await queue.EnqueueManyAsync(channels, payload, "bench", "bench-1", default);
        var total = clock.Elapsed;
        var push = pushes.Last;

        clock.Restart();
        var again = await queue.EnqueueManyAsync(channels[..replay], payload, "bench", "bench-1", default);
        var replayed = clock.Elapsed;
        var same = again.Commands.Select(c => c.CommandUuid).SequenceEqual(result.Commands.Take(replay).Select(c => c.CommandUuid));

        Report.Line("table batched entities/s (100 per transaction)", batched, "entities/s", "ceiling, same run");
        Report.Line("table single inserts/s (concurrency 16)", single, "op/s", "ceiling, same run");
        Report.Line("table batched command-sized rows/s (100 per transaction)", sameRows, "entities/s", "ceiling for these rows, same run");
        Report.Line($"commands: EnqueueMany to {count:N0} channels", count / total.TotalSeconds, "commands/s",
            $"{total.TotalSeconds:N2} s total, {result.Commands.Count:N0} queued");
        Report.Line("commands: command rows built and written", (total - push).TotalMilliseconds, "ms",
            $"{count / (total - push).TotalSeconds:N0} commands/s");
        Report.Line($"commands: push workflow scheduled ({count:N0} channels)", push.TotalMilliseconds, "ms");
        Report.Line($"commands: idempotent replay of {replay:N0} channels", replayed.TotalMilliseconds, "ms",
            $"{replay / replayed.TotalSeconds:N0} commands/s, same UUIDs: {same}; of which push scheduling {pushes.Last.TotalMilliseconds:N0} ms (a new channel set)");
        return result.Commands.Count == count && same ? 0 : 1;
    }

    /// <summary>Rows like the queue's (the same payload plist and properties), 100 per transaction, 16 in flight, into a fresh table.</summary>
    static async Task<double> CommandRowsCeilingAsync(BenchmarkStorage storage, MdmCommandPayload payload, int rows)
    {
        var table = new TableServiceClient(storage.Account, BenchmarkStorage.Prefixed($"cmdceil{Environment.ProcessId % 1000}")).GetTableClient("rows");
        await table.CreateIfNotExistsAsync(default);
        var uuid = Guid.NewGuid().ToString("D").ToUpperInvariant();
        var row = new CommandRecord
        {
            Channel = new ChannelId("ceiling"), RowKey = "", CommandUuid = uuid, RequestType = payload.RequestType,
            Payload = System.Text.Encoding.UTF8.GetString(payload.ToCommand(uuid).Encode()), Source = "bench", EnqueuedAt = DateTimeOffset.UtcNow,
        }.ToEntity();
        TableEntity Copy(int batch, int i)
        {
            var copy = new TableEntity($"p{batch}", $"r{i}");
            foreach (var (name, value) in row) copy[name] = value;
            return copy;
        }
        var rate = await Report.RateAsync(rows / 100, 16, b => table.SubmitTransactionAsync(
            [.. Enumerable.Range(0, 100).Select(i => new TableTransactionAction(TableTransactionActionType.Add, Copy(b, i)))]));
        return rate * 100;
    }

    static ChannelId[] Channels(int count, string prefix) =>
        [.. Enumerable.Range(0, count).Select(i => new ChannelId($"{prefix}-{new Guid(i, 0, 0, new byte[8]):D}".ToUpperInvariant()))];

    /// <summary>Times the push scheduling step inside the enqueue.</summary>
    sealed class TimedScheduler(IPushScheduler inner) : IPushScheduler
    {
        public TimeSpan Last { get; private set; }

        public async Task<string> SchedulePushesAsync(IReadOnlyCollection<ChannelId> channels, string reason, string idempotencyKey,
            CancellationToken cancellationToken)
        {
            var clock = Stopwatch.StartNew();
            var id = await inner.SchedulePushesAsync(channels, reason, idempotencyKey, cancellationToken);
            Last = clock.Elapsed;
            return id;
        }
    }
}
