using ManagedDistribution.Platform.Storage;
using ManagedDistribution.Tests.Infrastructure;

namespace ManagedDistribution.Tests.Platform.Hosting;

/// <summary>The standalone queue trigger against Azurite: the same handler, our own listener.</summary>
public class QueueListenerTests(AzuriteFixture azurite)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    static async Task<QueueClient> ListenedQueueAsync(HostingAppFactory app, string name = "probe")
    {
        _ = app.Services; // starts the host and its listeners
        var queue = app.NewQueueServiceClient().GetQueueClient(name);
        await Eventually.TrueAsync(async () => await ExistsAsync(queue), $"the listener creates queue {queue.Name}");
        return queue;
    }

    static async Task<bool> ExistsAsync(QueueClient queue)
    {
        try { await queue.GetApproximateCountAsync(Ct); return true; }
        catch (StorageRequestFailedException e) when (e.IsNotFound) { return false; }
    }

    [Fact]
    public async Task The_listener_creates_its_queue_and_poison_queue()
    {
        await using var app = new HostingAppFactory(azurite);

        await ListenedQueueAsync(app, "probe");
        await ListenedQueueAsync(app, "probe-poison");
    }

    [Fact]
    public async Task A_message_is_handled_once_and_deleted()
    {
        await using var app = new HostingAppFactory(azurite);
        var queue = await ListenedQueueAsync(app);
        const string text = "{\"v\":1,\"workflow\":\"w1\",\"chunk\":0}";

        await queue.SendMessageAsync(text, cancellationToken: Ct);

        await Eventually.TrueAsync(() => !app.Probe.QueueCalls.IsEmpty, "the handler runs");
        await Eventually.TrueAsync(async () => await queue.GetApproximateCountAsync(Ct) == 0, "the message is deleted");
        var call = Assert.Single(app.Probe.QueueCalls);
        Assert.Equal(text, call.MessageText);
        Assert.Equal(1, call.DequeueCount);
        Assert.Equal("ProbeQueue", call.FunctionName);
    }

    [Fact]
    public async Task A_message_that_always_fails_moves_to_poison_after_exactly_five_attempts()
    {
        await using var app = new HostingAppFactory(azurite);
        app.Probe.OnQueue = (_, _) => throw new InvalidOperationException("always");
        var queue = await ListenedQueueAsync(app);
        var poison = app.NewQueueServiceClient().GetQueueClient("probe-poison");
        const string text = "{\"v\":1,\"fails\":true}";

        await queue.SendMessageAsync(text, cancellationToken: Ct);

        await Eventually.TrueAsync(async () => await poison.GetApproximateCountAsync(Ct) == 1, "the message reaches the poison queue");
        var poisoned = Assert.Single(await poison.ReceiveMessagesAsync(32, TimeSpan.FromSeconds(30), Ct));
        Assert.Equal(text, poisoned.Text);
        Assert.Equal([1L, 2, 3, 4, 5], app.Probe.QueueCalls.Select(c => c.DequeueCount));
        Assert.Equal(0, await queue.GetApproximateCountAsync(Ct));
    }

    [Fact]
    public async Task A_handler_longer_than_the_lease_is_not_redelivered_meanwhile()
    {
        await using var app = new HostingAppFactory(azurite, new Dictionary<string, string?> { ["Hosting:LeaseDuration"] = "00:00:02" });
        app.Probe.OnQueue = (_, ct) => Task.Delay(TimeSpan.FromSeconds(7), ct);
        var queue = await ListenedQueueAsync(app);

        await queue.SendMessageAsync("{\"v\":1,\"slow\":true}", cancellationToken: Ct);

        await Eventually.TrueAsync(() => !app.Probe.QueueCalls.IsEmpty, "the handler starts");
        await Eventually.TrueAsync(async () => await queue.GetApproximateCountAsync(Ct) == 0, "the message is deleted after the slow handler");
        Assert.Equal(1L, Assert.Single(app.Probe.QueueCalls).DequeueCount);
    }

    [Fact]
    public async Task Shutdown_releases_an_unfinished_message_so_it_is_visible_at_once()
    {
        var app = new HostingAppFactory(azurite); // 30 s lease, 2 s shutdown timeout
        var canceled = new TaskCompletionSource();
        app.Probe.OnQueue = async (_, ct) =>
        {
            try { await Task.Delay(Timeout.Infinite, ct); }
            finally { canceled.TrySetResult(); }
        };
        var queue = await ListenedQueueAsync(app);
        await queue.SendMessageAsync("{\"v\":1,\"unfinished\":true}", cancellationToken: Ct);
        await Eventually.TrueAsync(() => !app.Probe.QueueCalls.IsEmpty, "the handler starts");

        await app.DisposeAsync();

        Assert.True(canceled.Task.IsCompleted, "the handler's token fired at the shutdown deadline");
        var again = Assert.Single(await queue.ReceiveMessagesAsync(32, TimeSpan.FromSeconds(30), Ct));
        Assert.Equal(2, again.DequeueCount);
    }

    [Fact]
    public async Task Shutdown_lets_a_handler_finish_within_the_timeout_and_deletes_its_message()
    {
        var app = new HostingAppFactory(azurite);
        var started = new TaskCompletionSource();
        var finish = new TaskCompletionSource();
        app.Probe.OnQueue = async (_, _) =>
        {
            started.TrySetResult();
            await finish.Task; // ignores its token: it finishes only when told to
        };
        var queue = await ListenedQueueAsync(app);
        await queue.SendMessageAsync("{\"v\":1,\"finishes\":true}", cancellationToken: Ct);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(60), Ct);

        var stopping = app.DisposeAsync();
        finish.SetResult();
        await stopping;

        Assert.Equal(0, await queue.GetApproximateCountAsync(Ct));
    }
}
