using Azure.Core;
using Azure.Core.Pipeline;
using ManagedDistribution.Platform.Storage;
using ManagedDistribution.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace ManagedDistribution.Tests.Platform.Storage;

/// <summary><see cref="StorageOptions.TransactionsInFlight"/> against Azurite: transactions wait for a slot, other requests do not.</summary>
public class TransactionSlotsTests(AzuriteFixture azurite)
{
    static readonly string Prefix = AzuriteFixture.NewPrefix();
    static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TransactionsBeyondTheSlotsWaitWhileOtherRequestsGoThrough()
    {
        var gate = new HoldingGate();
        var options = new StorageClientOptions();
        options.AddPolicy(gate, HttpPipelinePosition.BeforeTransport);
        var table = new TableServiceClient(azurite.Account, Options.Create(new StorageOptions { Prefix = Prefix, TransactionsInFlight = 2 }), options)
            .GetTableClient("slots");
        await table.CreateIfNotExistsAsync(Token);

        var writes = Enumerable.Range(0, 6).Select(p => table.SubmitTransactionAsync(
            [.. Enumerable.Range(0, 3).Select(r => new TableTransactionAction(TableTransactionActionType.Add, new TableEntity($"p{p}", $"r{r}")))], Token)).ToList();
        await gate.WaitForHeldAsync(2);
        await Task.Delay(200, Token);
        Assert.Equal(2, gate.Held);

        // A read (and a single write) while both slots are taken: not queued behind the transactions.
        Assert.Null(await table.GetEntityAsync("p0", "r0", cancellationToken: Token));
        await table.AddEntityAsync(new TableEntity("single", "r"), Token);

        gate.Open();
        await Task.WhenAll(writes);
        Assert.Equal(2, gate.MostHeld);
        Assert.Equal(18, (await table.QueryAsync(TableFilter.PartitionKey.Ne("single"), cancellationToken: Token).ToListAsync()).Count);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(257)]
    public void ASlotCountOutsideZeroTo256IsRefused(int slots) =>
        Assert.Throws<ArgumentException>(() => new TableServiceClient(azurite.Account, Options.Create(new StorageOptions { TransactionsInFlight = slots })));

    /// <summary>Holds every transaction just before the wire until opened; counts how many it held at once.</summary>
    sealed class HoldingGate : HttpPipelinePolicy
    {
        readonly TaskCompletionSource open = new(TaskCreationOptions.RunContinuationsAsynchronously);
        int held;
        public int Held => Volatile.Read(ref held);
        public int MostHeld { get; private set; }

        public void Open() => open.TrySetResult();

        public async Task WaitForHeldAsync(int count)
        {
            while (Held < count) await Task.Delay(10, Token);
        }

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
            ProcessAsync(message, pipeline).AsTask().GetAwaiter().GetResult();

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            if (!message.Request.Uri.Path.EndsWith("/$batch", StringComparison.Ordinal))
            {
                await ProcessNextAsync(message, pipeline);
                return;
            }
            lock (open) MostHeld = Math.Max(MostHeld, Interlocked.Increment(ref held));
            try
            {
                await open.Task.WaitAsync(message.CancellationToken);
                await ProcessNextAsync(message, pipeline);
            }
            finally { Interlocked.Decrement(ref held); }
        }
    }
}
