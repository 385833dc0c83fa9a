using ManagedDistribution.Platform.Storage;
using ManagedDistribution.Platform.Workflows;
using ManagedDistribution.Tests.Infrastructure;

namespace ManagedDistribution.Tests.Platform.Workflows;

/// <summary>The workflow engine on Azurite, with chunk messages delivered by hand (duplicates, redeliveries, crashes).</summary>
public sealed class WorkflowEngineTests(AzuriteFixture azurite)
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task StartWritesChunkedItemsOnceAndTheSameKeyReturnsTheSameWorkflow()
    {
        var bed = new WorkflowTestBed(azurite);
        var request = WorkflowTestBed.Request(250, key: "same-thing");

        var first = await bed.Engine.StartAsync(request, Cancel);
        var second = await bed.Engine.StartAsync(request with { Items = request.Items.Take(3).ToList() }, Cancel);

        Assert.Equal(first.Id, second.Id);
        Assert.Equal((WorkflowStates.Running, 250, 3), (second.State, second.ItemCount, second.ChunkCount));
        Assert.Equal(3, await bed.QueueClient.GetApproximateCountAsync(Cancel));
        var progress = await bed.Engine.GetProgressAsync(second, Cancel);
        Assert.Equal(new Dictionary<string, int> { ["pending"] = 250 }, progress.Counts);
        Assert.Equal(250, progress.Open);
        var other = await bed.Engine.StartAsync(request with { IdempotencyKey = "another" }, Cancel);
        Assert.NotEqual(first.Id, other.Id);
    }

    [Fact]
    public async Task WavesRunUntilEveryItemIsTerminalThenTheWorkflowCompletesWithFinalCounts()
    {
        var bed = new WorkflowTestBed(azurite);
        var workflow = await bed.Engine.StartAsync(WorkflowTestBed.Request(250), Cancel);
        var processor = new ScriptedProcessor { FinishOnWave = key => key.EndsWith('0') ? 0 : 2 };

        await bed.DrainAsync(processor);

        var done = (await bed.Engine.GetAsync(workflow.Id, Cancel))!;
        Assert.Equal(WorkflowStates.Completed, done.State);
        Assert.NotNull(done.CompletedAt);
        Assert.Equal(new Dictionary<string, int> { ["done"] = 250 }, done.FinalCounts);
        // Each item handed over once per wave while open: 25 items finish on wave 0, 225 on wave 2.
        Assert.Equal(25 + 225 * 3, processor.Seen.Count);
        Assert.Equal(processor.Seen.Count, processor.Seen.Distinct().Count());
    }

    [Fact]
    public async Task ItemsSeededTerminalAreCountedAtOnceAndNeverHandedToTheProcessor()
    {
        var bed = new WorkflowTestBed(azurite);
        // Chunk 0 mixes open and finished items; chunk 1 starts with every item finished.
        var request = WorkflowTestBed.Request(150);
        request = request with { Items = [.. request.Items.Select((s, i) => i % 2 == 1 || i >= 100 ? s with { State = "skipped-x", Terminal = true } : s)] };
        var workflow = await bed.Engine.StartAsync(request, Cancel);
        var progress = await bed.Engine.GetProgressAsync(workflow, Cancel);
        Assert.Equal(new Dictionary<string, int> { ["pending"] = 50, ["skipped-x"] = 100 }, progress.Counts);
        Assert.Equal(50, progress.Open);
        var processor = new ScriptedProcessor();

        await bed.DrainAsync(processor);

        var done = (await bed.Engine.GetAsync(workflow.Id, Cancel))!;
        Assert.Equal(WorkflowStates.Completed, done.State);
        Assert.Equal(new Dictionary<string, int> { ["done"] = 50, ["skipped-x"] = 100 }, done.FinalCounts);
        Assert.Equal(50, processor.Seen.Count);
        Assert.All(processor.Seen, s => Assert.True(int.Parse(s.Key[4..], System.Globalization.CultureInfo.InvariantCulture) % 2 == 0));
        await Assert.ThrowsAsync<ArgumentException>(() => bed.Engine.StartAsync(
            WorkflowTestBed.Request(1, key: "bad") with { Items = [new WorkflowItemSeed("x", Terminal: true)] }, Cancel));
    }

    [Fact]
    public async Task AStartWithEveryItemClosedCompletesAtOnceWithoutMessages()
    {
        var bed = new WorkflowTestBed(azurite);
        await bed.QueueClient.CreateIfNotExistsAsync(Cancel);
        var request = WorkflowTestBed.Request(150, key: "all-closed");
        request = request with { Items = [.. request.Items.Select(s => s with { State = "skipped-x", Terminal = true })] };

        var workflow = await bed.Engine.StartAsync(request, Cancel);

        Assert.Equal(WorkflowStates.Completed, workflow.State);
        Assert.Equal(new Dictionary<string, int> { ["skipped-x"] = 150 }, workflow.FinalCounts);
        Assert.Empty(await bed.ReceiveAsync());
        Assert.Equal(WorkflowStates.Completed, (await bed.Engine.StartAsync(request, Cancel)).State); // the same start again
    }

    [Fact]
    public async Task AnInlineFirstWaveWritesItemsAsItLeftThemAndTheQueueStartsAtWaveOne()
    {
        var bed = new WorkflowTestBed(azurite);
        await bed.QueueClient.CreateIfNotExistsAsync(Cancel);
        // Chunk 0 (item00000..item00099): item-0x0 finish inline, the rest wait; chunk 1: the inline wave throws, so the queue runs its wave 0;
        // chunk 2: every item finishes inline, so it needs no message.
        var inline = new ScriptedProcessor
        {
            FinishOnWave = key => key.EndsWith('0') || key.StartsWith("item002", StringComparison.Ordinal) ? 0 : 1,
            Before = chunk => chunk.Chunk == 1 ? throw new InvalidOperationException("APNs unreachable") : Task.CompletedTask,
        };

        var workflow = await bed.Engine.StartAsync(WorkflowTestBed.Request(300, key: "inline"), inline, Cancel);

        Assert.Equal(new Dictionary<string, int> { ["done"] = 110, ["waiting"] = 90, ["pending"] = 100 },
            (await bed.Engine.GetProgressAsync(workflow, Cancel)).Counts);
        var received = await bed.ReceiveAsync();
        Assert.Equal([(0, 1), (1, 0)], received.Select(m => WorkflowMessage.TryParse(m.Text)!).Select(m => (m.Chunk, m.Attempt)).Order());
        var queued = new ScriptedProcessor { FinishOnWave = _ => 1 };
        foreach (var message in received) await bed.DeliverAsync(message, queued);
        await bed.DrainAsync(queued);
        Assert.Equal(90 + 100 * 2, queued.Seen.Count); // chunk 0's waiting items once (wave 1), chunk 1's twice (waves 0 and 1)
        Assert.Equal(new Dictionary<string, int> { ["done"] = 300 }, (await bed.Engine.GetAsync(workflow.Id, Cancel))!.FinalCounts);
    }

    [Fact]
    public async Task ADuplicateMessageForACommittedWaveIsSkippedAndItsOwnRedeliveryReArmsTheTimer()
    {
        var bed = new WorkflowTestBed(azurite);
        await bed.Engine.StartAsync(WorkflowTestBed.Request(10), Cancel);
        var processor = new ScriptedProcessor { FinishOnWave = _ => 1 };
        var message = Assert.Single(await bed.ReceiveAsync());

        await bed.DeliverAsync(message, processor, delete: false);             // wave 0 committed, wave 1 timer sent
        await bed.DeliverAsync(message, processor, messageId: "someone-else", delete: false); // a duplicate: nothing happens
        await bed.DeliverAsync(message, processor, dequeueCount: 2);           // its own redelivery: timer sent again

        Assert.Equal(10, processor.Seen.Count);
        var timers = await bed.ReceiveAsync();
        Assert.Equal(2, timers.Count);
        Assert.All(timers, t => Assert.Equal(1, WorkflowMessage.TryParse(t.Text)!.Attempt));
        foreach (var timer in timers) await bed.DeliverAsync(timer, processor);
        Assert.Equal(20, processor.Seen.Count); // the second wave-1 message found the wave committed
    }

    [Fact]
    public async Task ACrashBetweenTransactionsOfItemRowsResumesWithOnlyTheItemsNotYetCommitted()
    {
        var bed = new WorkflowTestBed(azurite);
        var workflow = await bed.Engine.StartAsync(WorkflowTestBed.RowsRequest(150, chunkSize: 150), Cancel);
        var message = Assert.Single(await bed.ReceiveAsync());

        bed.Crash.Allow(1); // 150 changes commit as 99 + 51: the process dies before the second transaction
        await Assert.ThrowsAsync<InvalidOperationException>(() => bed.DeliverAsync(message, new ScriptedProcessor(), delete: false));
        bed.Crash.Disarm();
        var progress = await bed.Engine.GetProgressAsync(workflow, Cancel);
        Assert.Equal(new Dictionary<string, int> { ["done"] = 99, ["pending"] = 51 }, progress.Counts);

        var redelivery = new ScriptedProcessor();
        await bed.DeliverAsync(message, redelivery, dequeueCount: 2);

        Assert.Equal(51, redelivery.Seen.Count);
        var done = (await bed.Engine.GetAsync(workflow.Id, Cancel))!;
        Assert.Equal(WorkflowStates.Completed, done.State);
        Assert.Equal(new Dictionary<string, int> { ["done"] = 150 }, done.FinalCounts);
    }

    [Fact]
    public async Task CancelClosesOpenItemsIsIdempotentAndACompletedWorkflowCannotBeCancelled()
    {
        var bed = new WorkflowTestBed(azurite);
        var workflow = await bed.Engine.StartAsync(WorkflowTestBed.Request(120), Cancel);
        var processor = new ScriptedProcessor { FinishOnWave = key => key.EndsWith('1') ? 0 : 99 };
        foreach (var message in await bed.ReceiveAsync()) await bed.DeliverAsync(message, processor);

        Assert.Equal(CancelOutcome.Cancelled, (await bed.Engine.CancelAsync(workflow.Id, Cancel)).Outcome);
        Assert.Equal(CancelOutcome.Cancelled, (await bed.Engine.CancelAsync(workflow.Id, Cancel)).Outcome);
        await bed.DrainAsync(processor);

        var cancelled = (await bed.Engine.GetAsync(workflow.Id, Cancel))!;
        Assert.Equal(WorkflowStates.Cancelled, cancelled.State);
        Assert.NotNull(cancelled.CompletedAt);
        Assert.Equal(new Dictionary<string, int> { ["done"] = 12, ["cancelled"] = 108 }, cancelled.FinalCounts);

        var other = await bed.Engine.StartAsync(WorkflowTestBed.Request(5), Cancel);
        await bed.DrainAsync(new ScriptedProcessor());
        Assert.Equal(CancelOutcome.AlreadyFinished, (await bed.Engine.CancelAsync(other.Id, Cancel)).Outcome);
        Assert.Equal(CancelOutcome.NotFound, (await bed.Engine.CancelAsync("nope", Cancel)).Outcome);
    }

    [Fact]
    public async Task TheLastFailedDeliveryMarksTheWorkflowFailed()
    {
        var bed = new WorkflowTestBed(azurite);
        var workflow = await bed.Engine.StartAsync(WorkflowTestBed.Request(3), Cancel);
        var message = Assert.Single(await bed.ReceiveAsync());
        var broken = new ScriptedProcessor { Before = _ => throw new InvalidOperationException("boom") };

        await Assert.ThrowsAsync<InvalidOperationException>(() => bed.DeliverAsync(message, broken, dequeueCount: 4, delete: false));
        Assert.Equal(WorkflowStates.Running, (await bed.Engine.GetAsync(workflow.Id, Cancel))!.State);
        await Assert.ThrowsAsync<InvalidOperationException>(() => bed.DeliverAsync(message, broken, dequeueCount: 5, delete: false));

        var failed = (await bed.Engine.GetAsync(workflow.Id, Cancel))!;
        Assert.Equal(WorkflowStates.Failed, failed.State);
        Assert.Contains("boom", failed.Error);
    }

    [Fact]
    public async Task ItemsArePagedAndAnEmptyStartCompletesAtOnce()
    {
        var bed = new WorkflowTestBed(azurite);
        var workflow = await bed.Engine.StartAsync(WorkflowTestBed.Request(7, chunkSize: 3), Cancel);
        var keys = new List<string>();
        string? token = null;
        do
        {
            var page = await bed.Engine.GetItemsAsync(workflow.Id, token, 2, Cancel);
            Assert.True(page.Items.Count <= 2);
            keys.AddRange(page.Items.Select(i => i.Key));
            Assert.All(page.Items, i => Assert.Equal(("pending", "sub"), (i.State, i.Subtitle)));
            token = page.ContinuationToken;
        }
        while (token is not null);
        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"item{i:D5}"), keys);

        var empty = await bed.Engine.StartAsync(WorkflowTestBed.Request(0), Cancel);
        Assert.Equal(WorkflowStates.Completed, empty.State);
    }
}
