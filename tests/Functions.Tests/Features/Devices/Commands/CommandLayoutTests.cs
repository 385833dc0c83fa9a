using ManagedDistribution.Features.Devices;
using ManagedDistribution.Features.Devices.Commands;
using ManagedDistribution.Features.Devices.Protocol.Commands;
using ManagedDistribution.Platform.Storage;
using ManagedDistribution.Tests.Features.Devices.Support;
using ManagedDistribution.Tests.Infrastructure;

namespace ManagedDistribution.Tests.Features.Devices.Commands;

/// <summary>The bucketed <c>commands</c> layout: many channels per partition, FIFO per channel, replays that only fill gaps.</summary>
public sealed class CommandLayoutTests(AzuriteFixture azurite)
{
    static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public void Buckets_are_stable_and_spread_50000_channels_evenly()
    {
        Assert.Equal("11", CommandKeys.CommandPartition(new ChannelId("device-1"))); // FNV-1a: stored rows depend on it
        var sizes = Enumerable.Range(0, 50_000).Select(i => CommandKeys.CommandPartition(new ChannelId($"DEVICE-{i:X8}")))
            .GroupBy(b => b).Select(g => g.Count()).ToList();
        Assert.Equal(CommandKeys.Buckets, sizes.Count);
        Assert.InRange(sizes.Min(), 120, 195);
        Assert.InRange(sizes.Max(), 196, 290);
        Assert.Equal(new ChannelId("mac", "user-1"), CommandKeys.ChannelOf(CommandKeys.CommandRowKey(new ChannelId("mac", "user-1"), "ABC")));
        // Four bucket partitions per table: bucket 0x11 (17) and 0x51 (81) share commands17.
        Assert.Equal("commands17", CommandTables.NameOf(CommandTables.TableOf("11")));
        Assert.Equal(17, CommandTables.TableOf("51"));
    }

    [Fact]
    public async Task Sequences_queued_for_many_channels_come_out_in_order_per_channel()
    {
        await using var host = new DevicesTestHost(azurite);
        var work = Enumerable.Range(0, 300).Select(i => new ChannelCommands(new ChannelId($"seq-{i:D3}"),
            [.. Enumerable.Range(0, 3).Select(n => (MdmCommandPayload)new RemoveApplicationCommand { Identifier = $"com.example.app{n}" })])).ToList();

        var result = await host.Service<CommandQueue>().EnqueueManyAsync(work, "test", null, Token);

        Assert.Equal(900, result.Commands.Count);
        var store = host.Service<CommandStore>();
        foreach (var channel in work.Select(w => w.Channel))
        {
            var pending = new List<string>();
            await foreach (var command in store.PendingAsync(channel, Token)) pending.Add(command.CommandUuid);
            Assert.Equal(result.Commands.Where(c => c.Channel == channel).Select(c => c.CommandUuid), pending);
        }
    }

    [Fact]
    public async Task A_replay_after_a_partial_write_adds_only_the_missing_commands()
    {
        await using var host = new DevicesTestHost(azurite);
        var queue = host.Service<CommandQueue>();
        var store = host.Service<CommandStore>();
        var tables = host.Service<DeviceTables>();
        var channels = Enumerable.Range(0, 150).Select(i => new ChannelId($"replay-{i:D3}")).ToArray();
        var payload = new InstallApplicationCommand { ITunesStoreId = 361309726 };
        var first = await queue.EnqueueManyAsync(channels, payload, "test", "replay-key", Token);

        // As if the first attempt died part-way: some rows never landed, and a device already fetched one.
        var lost = first.Commands.Take(20).ToList();
        foreach (var command in lost)
        {
            var table = await tables.Commands.OfPartitionAsync(CommandRecord.PartitionKeyFor(command.Channel), Token);
            Assert.True(await table.DeleteEntityAsync(CommandRecord.PartitionKeyFor(command.Channel),
                CommandRecord.RowKeyFor(command.Channel, command.CommandUuid), ETag.All, Token));
        }
        var fetched = (await store.FindAsync(first.Commands[^1].Channel, first.Commands[^1].CommandUuid, Token))!;
        fetched.Status = CommandStatuses.Sent;
        Assert.True(await store.TryReplaceAsync(fetched, Token));

        var again = await queue.EnqueueManyAsync(channels, payload, "test", "replay-key", Token);

        Assert.Equal(first.Commands, again.Commands);
        Assert.Equal(2, host.Pushes.Calls.Count);
        Assert.Single(host.Pushes.Calls.Select(c => c.Key).Distinct()); // the same push workflow again
        foreach (var command in first.Commands)
            Assert.Equal(command.CommandUuid, Assert.Single(await store.RecentAsync(command.Channel, 10, Token)).CommandUuid);
        Assert.Equal(CommandStatuses.Sent, (await store.FindAsync(fetched.Channel, fetched.CommandUuid, Token))!.Status);
        Assert.Equal(CommandStatuses.Queued, (await store.FindAsync(lost[0].Channel, lost[0].CommandUuid, Token))!.Status);
    }

    [Fact]
    public async Task A_channel_whose_id_continues_another_ones_in_the_same_bucket_keeps_its_own_queue()
    {
        await using var host = new DevicesTestHost(azurite);
        var shorter = new ChannelId("prefix-device");
        var longer = Enumerable.Range(0, 10_000).Select(i => new ChannelId($"prefix-device|{i}"))
            .First(c => CommandKeys.CommandPartition(c) == CommandKeys.CommandPartition(shorter));
        var queue = host.Service<CommandQueue>();
        var mine = await queue.EnqueueAsync(shorter, new ManagedApplicationListCommand(), "test", Token);
        var theirs = await queue.EnqueueAsync(longer, new ManagedApplicationListCommand(), "test", Token);
        var store = host.Service<CommandStore>();

        Assert.Equal([mine], (await store.RecentAsync(shorter, 10, Token)).Select(c => c.CommandUuid));
        Assert.Equal([theirs], (await store.RecentAsync(longer, 10, Token)).Select(c => c.CommandUuid));
        var waiting = new List<string>();
        await foreach (var command in store.WaitingAsync(shorter, 1, Token)) waiting.Add(command.CommandUuid);
        Assert.Equal([mine], waiting);
        Assert.Null(await store.FindAsync(shorter, theirs, Token));
    }
}
