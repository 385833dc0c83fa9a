using ManagedDistribution.Platform.Storage;
using ManagedDistribution.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace ManagedDistribution.Tests.Platform.Storage;

public class QueueClientTests(AzuriteFixture azurite)
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    async Task<QueueClient> NewQueueAsync(string name = "work")
    {
        var service = new QueueServiceClient(azurite.Account, Options.Create(new StorageOptions { Prefix = AzuriteFixture.NewPrefix() }));
        var queue = service.GetQueueClient(name);
        await queue.CreateIfNotExistsAsync(Ct);
        return queue;
    }

    [Fact]
    public async Task Send_receive_delete_round_trip_keeps_text_exactly()
    {
        var queue = await NewQueueAsync();
        const string text = "{\"workflow\":\"w1\",\"chunk\":3,\"note\":\"<&> Zoë\"}";
        await queue.SendMessageAsync(text, cancellationToken: Ct);

        var received = Assert.Single(await queue.ReceiveMessagesAsync(32, TimeSpan.FromSeconds(30), Ct));
        Assert.Equal(text, received.Text);
        Assert.Equal(1, received.DequeueCount);

        await queue.DeleteMessageAsync(received.MessageId, received.PopReceipt, Ct);
        Assert.Empty(await queue.ReceiveMessagesAsync(32, TimeSpan.FromSeconds(30), Ct));
        await queue.DeleteMessageAsync(received.MessageId, received.PopReceipt, Ct); // already gone: idempotent
    }

    [Fact]
    public async Task Create_is_idempotent()
    {
        var queue = await NewQueueAsync();
        await queue.CreateIfNotExistsAsync(Ct);
        await queue.CreateIfNotExistsAsync(Ct);
    }

    [Fact]
    public async Task A_delayed_message_is_invisible_before_and_visible_after()
    {
        var queue = await NewQueueAsync();
        await queue.SendMessageAsync("later", TimeSpan.FromSeconds(2), cancellationToken: Ct);

        Assert.Empty(await queue.ReceiveMessagesAsync(1, TimeSpan.FromSeconds(30), Ct));
        await Task.Delay(TimeSpan.FromSeconds(2.5), Ct);
        Assert.Equal("later", Assert.Single(await queue.ReceiveMessagesAsync(1, TimeSpan.FromSeconds(30), Ct)).Text);
    }

    [Fact]
    public async Task Receiving_up_to_32_and_counting()
    {
        var queue = await NewQueueAsync();
        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => queue.SendMessageAsync($"m{i}", cancellationToken: Ct)));

        Assert.Equal(40, await queue.GetApproximateCountAsync(Ct));
        Assert.Equal(32, (await queue.ReceiveMessagesAsync(32, TimeSpan.FromSeconds(30), Ct)).Count);
        Assert.Equal(8, (await queue.ReceiveMessagesAsync(32, TimeSpan.FromSeconds(30), Ct)).Count);
    }

    [Fact]
    public async Task Updating_visibility_issues_a_new_receipt_and_invalidates_the_old_one()
    {
        var queue = await NewQueueAsync();
        await queue.SendMessageAsync("renew me", cancellationToken: Ct);
        var received = Assert.Single(await queue.ReceiveMessagesAsync(1, TimeSpan.FromSeconds(30), Ct));

        var renewed = await queue.UpdateVisibilityAsync(received.MessageId, received.PopReceipt, TimeSpan.FromSeconds(60), Ct);
        Assert.NotEqual(received.PopReceipt, renewed.PopReceipt);

        var stale = await Assert.ThrowsAsync<StorageRequestFailedException>(
            () => queue.DeleteMessageAsync(received.MessageId, received.PopReceipt, Ct));
        Assert.Equal("PopReceiptMismatch", stale.ErrorCode);
        await queue.DeleteMessageAsync(received.MessageId, renewed.PopReceipt, Ct);
    }

    [Fact]
    public async Task Releasing_a_message_makes_it_visible_again_with_a_higher_dequeue_count()
    {
        var queue = await NewQueueAsync();
        await queue.SendMessageAsync("retry", cancellationToken: Ct);
        var first = Assert.Single(await queue.ReceiveMessagesAsync(1, TimeSpan.FromSeconds(30), Ct));
        await queue.UpdateVisibilityAsync(first.MessageId, first.PopReceipt, TimeSpan.Zero, Ct);

        var second = Assert.Single(await queue.ReceiveMessagesAsync(1, TimeSpan.FromSeconds(30), Ct));
        Assert.Equal(2, second.DequeueCount);
    }

    [Fact]
    public async Task Errors_carry_status_and_service_code()
    {
        var service = new QueueServiceClient(azurite.Account, Options.Create(new StorageOptions { Prefix = AzuriteFixture.NewPrefix() }));
        var missing = service.GetQueueClient("never-created");
        var error = await Assert.ThrowsAsync<StorageRequestFailedException>(() => missing.SendMessageAsync("x", cancellationToken: Ct));
        Assert.Equal(404, error.Status);
        Assert.Equal("QueueNotFound", error.ErrorCode);
        Assert.DoesNotContain(StorageAccount.DevelopmentAccountKey, error.Message);
    }

    [Fact]
    public async Task Oversized_messages_and_invalid_names_are_refused_before_sending()
    {
        var queue = await NewQueueAsync();
        await Assert.ThrowsAsync<ArgumentException>(() => queue.SendMessageAsync(new string('x', QueueClient.MaxMessageBytes + 1), cancellationToken: Ct));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => queue.SendMessageAsync("x", TimeSpan.FromDays(8), cancellationToken: Ct));
        var service = new QueueServiceClient(azurite.Account, Options.Create(new StorageOptions()));
        Assert.Throws<ArgumentException>(() => service.GetQueueClient("Bad_Name"));
    }

    [Fact]
    public async Task Ping_proves_the_service_accepts_our_credentials()
    {
        var service = new QueueServiceClient(azurite.Account, Options.Create(new StorageOptions()));
        await service.PingAsync(Ct);
    }
}
