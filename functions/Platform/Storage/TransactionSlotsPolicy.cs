using Azure.Core;
using Azure.Core.Pipeline;

namespace ManagedDistribution.Platform.Storage;

/// <summary>
/// At most <see cref="StorageOptions.TransactionsInFlight"/> entity group transactions
/// (<c>POST …/$batch</c>) of one service client on the wire at once; every other request passes
/// freely. Bulk writers each keep 16 transactions in flight, and several run at once (five device
/// chunks of a campaign: 80 and more). Azurite serves requests in the order they arrive on one
/// thread, so everything else waited behind them: a task's progress read took up to 7.6–19.3 s
/// during a 100,000-device campaign; with 8 slots 2.8–5.7 s, but the campaign ran ~7 % slower
/// (Features/Invitations README), so it is off unless configured. Per attempt: a retry's back-off
/// does not hold a slot.
/// </summary>
sealed class TransactionSlotsPolicy(int slots) : HttpPipelinePolicy
{
    readonly SemaphoreSlim free = new(slots, slots);

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        if (!IsTransaction(message.Request)) { ProcessNext(message, pipeline); return; }
        free.Wait(message.CancellationToken);
        try { ProcessNext(message, pipeline); }
        finally { free.Release(); }
    }

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        if (!IsTransaction(message.Request)) { await ProcessNextAsync(message, pipeline); return; }
        await free.WaitAsync(message.CancellationToken);
        try { await ProcessNextAsync(message, pipeline); }
        finally { free.Release(); }
    }

    static bool IsTransaction(Request request) =>
        request.Method == RequestMethod.Post && request.Uri.Path.EndsWith("/$batch", StringComparison.Ordinal);
}
