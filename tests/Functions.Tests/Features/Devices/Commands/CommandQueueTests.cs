using ManagedDistribution.Features.Devices;
using ManagedDistribution.Features.Devices.Commands;
using ManagedDistribution.Features.Devices.Protocol.Commands;
using ManagedDistribution.Tests.Features.Devices.Support;
using ManagedDistribution.Tests.Infrastructure;
using static ManagedDistribution.Tests.Features.Devices.Support.DevicesTestHost;

namespace ManagedDistribution.Tests.Features.Devices.Commands;

/// <summary>The queue API other features use (assignments, invitations) and the push workflow's view of it.</summary>
public sealed class CommandQueueTests(AzuriteFixture azurite)
{
    static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EnqueueMany_queues_one_command_per_channel_and_schedules_one_push_wave()
    {
        await using var host = new DevicesTestHost(azurite);
        var channels = Enumerable.Range(0, 60).Select(i => new ChannelId($"device-{i:D3}")).Append(new ChannelId("device-000", "user-1")).ToArray();
        var payload = new InstallApplicationCommand { ITunesStoreId = 361309726 };

        var result = await host.Service<CommandQueue>().EnqueueManyAsync(channels, payload, "assignment:a1", "assignment:a1:v1", Token);

        Assert.Equal(channels.Length, result.Commands.Count);
        Assert.Equal(channels.Length, result.Commands.Select(c => c.CommandUuid).Distinct().Count());
        var push = Assert.Single(host.Pushes.Calls);
        Assert.Equal(channels.Select(c => c.ToString()).Order(StringComparer.Ordinal), push.Channels.Select(c => c.ToString()).Order(StringComparer.Ordinal));
        Assert.Equal("assignment:a1", push.Reason);
        Assert.Equal("task-1", result.PushTaskId);
        var store = host.Service<CommandStore>();
        foreach (var queued in result.Commands)
        {
            var command = await store.FindAsync(queued.Channel, queued.CommandUuid, Token);
            Assert.NotNull(command);
            Assert.Equal(CommandStatuses.Queued, command.Status);
            Assert.Equal("InstallApplication", command.RequestType);
            Assert.Contains(queued.CommandUuid, command.Payload);
        }
        Assert.Null(await store.FindAsync(new ChannelId("device-001"), result.Commands[0].CommandUuid, Token));
    }

    [Fact]
    public async Task The_same_idempotency_key_gives_the_same_command_once()
    {
        await using var host = new DevicesTestHost(azurite);
        var queue = host.Service<CommandQueue>();
        var channel = new ChannelId("device-1");

        var first = await queue.EnqueueAsync(channel, new ManagedApplicationListCommand(), "test", "key-1", Token);
        var again = await queue.EnqueueAsync(channel, new ManagedApplicationListCommand(), "test", "key-1", Token);
        var other = await queue.EnqueueAsync(channel, new ManagedApplicationListCommand(), "test", "key-2", Token);

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
        Assert.Equal(2, (await host.Service<CommandStore>().RecentAsync(channel, 10, Token)).Count);
    }

    [Fact]
    public async Task Commands_come_out_in_FIFO_order_per_channel()
    {
        await using var host = new DevicesTestHost(azurite);
        await host.EnrolMacAsync();
        var queue = host.Service<CommandQueue>();
        var channel = new ChannelId(MacUdid);
        var uuids = new List<string>();
        for (var i = 0; i < 5; i++) uuids.Add(await queue.EnqueueAsync(channel, new RemoveApplicationCommand { Identifier = $"com.example.app{i}" }, "test", Token));

        var fetched = new List<string> { (await host.IdleAsync(MacUdid))!.CommandUuid };
        while (fetched.Count < uuids.Count)
            fetched.Add((await host.ReportAsync(Status(MacUdid, "Acknowledged", fetched[^1])))!.CommandUuid);

        Assert.Equal(uuids, fetched);
        Assert.Null(await host.ReportAsync(Status(MacUdid, "Acknowledged", fetched[^1])));
    }

    [Fact]
    public async Task The_push_workflow_sees_waiting_commands_expires_them_and_marks_tokens_unusable()
    {
        await using var host = new DevicesTestHost(azurite);
        await host.EnrolIPadAsync();
        var targets = host.Service<IPushTargets>();
        var channel = new ChannelId(IPadUdid);
        Assert.False(await targets.HasWaitingCommandsAsync(channel, Token));
        var uuids = (await host.RefreshAsync(IPadUdid)).GetProperty("commandUuids").EnumerateArray().Select(u => u.GetString()!).ToArray();
        Assert.True(await targets.HasWaitingCommandsAsync(channel, Token));

        var token = (await targets.GetAsync(channel, Token))!.Token;
        await targets.MarkTokenUnusableAsync(channel, [.. token.Reverse()], "Unregistered", Token);
        Assert.True((await targets.GetAsync(channel, Token))!.TokenUsable); // refused was another token than the channel's
        await targets.MarkTokenUnusableAsync(channel, token, "Unregistered", Token);
        Assert.False((await targets.GetAsync(channel, Token))!.TokenUsable);
        Assert.False((await host.GetDeviceAsync(IPadUdid)).GetProperty("reachable").GetBoolean());

        Assert.Equal(2, await targets.ExpireWaitingCommandsAsync(channel, Token));
        Assert.False(await targets.HasWaitingCommandsAsync(channel, Token));
        var store = host.Service<CommandStore>();
        foreach (var uuid in uuids) Assert.Equal(CommandStatuses.Expired, (await store.FindAsync(channel, uuid, Token))!.Status);
        Assert.Null(await host.IdleAsync(IPadUdid));

        // A new TokenUpdate makes the token usable again.
        await AssertEmptyOkAsync(await host.CheckinAsync(Protocol.MdmTestData.Capture("TokenUpdate.1.plist")));
        Assert.True((await targets.GetAsync(channel, Token))!.TokenUsable);
        Assert.Null(await targets.GetAsync(new ChannelId("unknown"), Token));
    }

    [Fact]
    public async Task Waiting_channels_are_found_with_one_query_per_crowded_bucket_and_one_per_channel_elsewhere()
    {
        await using var host = new DevicesTestHost(azurite);
        // Six channels in one command bucket (read with one bucket query), one alone in another (a channel query).
        var crowded = Enumerable.Range(0, 5000).Select(i => new ChannelId($"dev-{i:D4}"))
            .GroupBy(CommandRecord.PartitionKeyFor).First(g => g.Count() >= 6).Take(6).ToArray();
        var alone = Enumerable.Range(0, 5000).Select(i => new ChannelId($"solo-{i:D4}"))
            .First(c => CommandRecord.PartitionKeyFor(c) != CommandRecord.PartitionKeyFor(crowded[0]));
        var queue = host.Service<CommandQueue>();
        var payload = new InstallApplicationCommand { ITunesStoreId = 361309726 };
        await queue.EnqueueManyAsync([crowded[0], crowded[1], crowded[2], alone], payload, "test", "waiting-test", Token);
        var exchange = host.Service<CommandExchange>();
        Assert.Equal(1, await exchange.ExpireWaitingAsync(crowded[2], Token));

        var waiting = await host.Service<IPushTargets>().WaitingChannelsAsync([.. crowded, alone, new ChannelId("nobody")], Token);

        Assert.Equal(new HashSet<ChannelId> { crowded[0], crowded[1], alone }, waiting.ToHashSet());
        Assert.Equal(waiting.ToHashSet(), (await host.Service<CommandStore>().WaitingChannelsAsync([crowded[0], crowded[1], alone], Token)).ToHashSet());
    }
}
