using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Benchmarks;

/// <summary>
/// The raw storage ceilings every other benchmark is compared with, measured through our own
/// clients against the account of the run (DESIGN.md §5). Each method uses fresh tables/queues.
/// </summary>
public sealed class StorageCeilings(BenchmarkStorage storage)
{
    static int runs;
    static string NewPrefix() => $"bench{Environment.ProcessId % 1000}x{Interlocked.Increment(ref runs)}";

    public async Task<double> QueueSendsPerSecondAsync(int total, int concurrency)
    {
        var queue = new QueueServiceClient(storage.Account, BenchmarkStorage.Prefixed(NewPrefix())).GetQueueClient("sends");
        await queue.CreateIfNotExistsAsync(default);
        var body = new string('x', 200);
        return await Report.RateAsync(total, concurrency, _ => queue.SendMessageAsync(body));
    }

    /// <summary>Receive in batches of 32 and delete each message; the queue is filled first (not timed).</summary>
    public async Task<double> QueueReceiveDeletesPerSecondAsync(int total, int concurrency)
    {
        var queue = new QueueServiceClient(storage.Account, BenchmarkStorage.Prefixed(NewPrefix())).GetQueueClient("receives");
        await queue.CreateIfNotExistsAsync(default);
        await Report.RateAsync(total, 32, _ => queue.SendMessageAsync("{\"n\":1}"));

        var done = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (Volatile.Read(ref done) < total)
            {
                var batch = await queue.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(5), default);
                if (batch.Count == 0) { await Task.Delay(10); continue; }
                await Task.WhenAll(batch.Select(m => queue.DeleteMessageAsync(m.MessageId, m.PopReceipt, default)));
                Interlocked.Add(ref done, batch.Count);
            }
        }));
        return done / clock.Elapsed.TotalSeconds;
    }
}
