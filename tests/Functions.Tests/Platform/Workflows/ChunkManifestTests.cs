using ManagedDistribution.Platform.Workflows;
using ManagedDistribution.Tests.Infrastructure;

namespace ManagedDistribution.Tests.Platform.Workflows;

/// <summary>
/// Chunks live in one manifest row each: started as one, rewritten by every commit, and written as
/// item rows only when the items outgrow it.
/// </summary>
public sealed class ChunkManifestTests(AzuriteFixture azurite)
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AStartWritesOneManifestPerChunkThatWavesRewriteWithoutWritingItemRows()
    {
        var bed = new WorkflowTestBed(azurite);
        var request = WorkflowTestBed.Request(250);
        request = request with { Items = [.. request.Items.Select((s, i) => i % 10 == 9 ? s with { State = "skipped-x", Terminal = true } : s)] };

        var workflow = await bed.Engine.StartAsync(request, Cancel);

        Assert.Equal(["!chunk", "!items0"], await bed.RowKeysAsync(workflow.Id, 0));
        var listed = await bed.AllItemsAsync(workflow.Id, 7);
        Assert.Equal(request.Items.Select(s => s.Key), listed.Select(i => i.Key));
        Assert.Equal(25, listed.Count(i => i is { State: "skipped-x", Terminal: true }));
        Assert.All(listed.Where(i => !i.Terminal), i => Assert.Equal(("pending", "sub", -1), (i.State, i.Subtitle, i.Wave)));
        Assert.Equal(225, (await bed.Engine.GetOpenItemsAsync(workflow, 1000, Cancel)).Count);

        // Wave 0 of chunk 0 changes half of its open items; the others and the skips stay as they were.
        var processor = new ScriptedProcessor { Changes = key => key.EndsWith('2') || key.EndsWith('4') || key.EndsWith('6') || key.EndsWith('8') || key.EndsWith('0') };
        var messages = await bed.ReceiveAsync();
        await bed.DeliverAsync(messages.Single(m => WorkflowMessage.TryParse(m.Text)!.Chunk == 0), processor);

        Assert.Equal(["!chunk", "!items0"], await bed.RowKeysAsync(workflow.Id, 0));
        var chunk0 = (await bed.AllItemsAsync(workflow.Id, 13)).Where(i => i.Chunk == 0).ToList();
        Assert.Equal(100, chunk0.Count);
        Assert.Equal(50, chunk0.Count(i => i is { State: "done", Wave: 0, Attempts: 1, Terminal: true }));
        Assert.Equal(40, chunk0.Count(i => i is { State: "pending", Wave: -1, Attempts: 0 }));
        Assert.Equal(10, chunk0.Count(i => i.State == "skipped-x"));
        Assert.Equal(new Dictionary<string, int> { ["done"] = 50, ["pending"] = 175, ["skipped-x"] = 25 },
            (await bed.Engine.GetProgressAsync(workflow, Cancel)).Counts);
        Assert.Equal(40 + 90 + 45, (await bed.Engine.GetOpenItemsAsync(workflow, 1000, Cancel)).Count);
    }

    [Fact]
    public async Task EveryWaveKeepsWhatTheItemsCarryInTheManifest()
    {
        var bed = new WorkflowTestBed(azurite);
        var workflow = await bed.Engine.StartAsync(WorkflowTestBed.Request(20, chunkSize: 20), Cancel);
        var processor = new ScriptedProcessor { FinishOnWave = key => key.EndsWith('7') ? 2 : 1, Data = i => $"seen {i.Attempts}" };

        var first = Assert.Single(await bed.ReceiveAsync());
        await bed.DeliverAsync(first, processor);
        var afterWave0 = await bed.AllItemsAsync(workflow.Id, 50);
        Assert.All(afterWave0, i => Assert.Equal(("waiting", 1, 0, "seen 1", "Item " + int.Parse(i.Key[4..])), (i.State, i.Attempts, i.Wave, i.Data, i.Title)));
        Assert.All(afterWave0, i => Assert.NotNull(i.UpdatedAt));

        await bed.DrainAsync(processor);

        Assert.Equal(["!chunk", "!items0"], await bed.RowKeysAsync(workflow.Id, 0));
        var done = await bed.AllItemsAsync(workflow.Id, 50);
        Assert.Equal(18, done.Count(i => i is { State: "done", Attempts: 2, Wave: 1, Data: "seen 2" }));
        Assert.Equal(2, done.Count(i => i is { State: "done", Attempts: 3, Wave: 2, Data: "seen 3" }));
        Assert.Equal(new Dictionary<string, int> { ["done"] = 20 }, (await bed.Engine.GetAsync(workflow.Id, Cancel))!.FinalCounts);
    }

    [Fact]
    public async Task ACrashInACommitLeavesTheChunkAsItWasAndTheRedeliveryRedoesTheWave()
    {
        var bed = new WorkflowTestBed(azurite);
        var workflow = await bed.Engine.StartAsync(WorkflowTestBed.Request(150, chunkSize: 150), Cancel);
        var message = Assert.Single(await bed.ReceiveAsync());

        bed.Crash.Allow(0);
        await Assert.ThrowsAsync<InvalidOperationException>(() => bed.DeliverAsync(message, new ScriptedProcessor(), delete: false));
        bed.Crash.Disarm();

        Assert.Equal(150, (await bed.AllItemsAsync(workflow.Id, 40)).Count(i => i.State == "pending"));
        var redelivery = new ScriptedProcessor();
        await bed.DeliverAsync(message, redelivery, dequeueCount: 2);

        Assert.Equal(150, redelivery.Seen.Count);
        Assert.Equal(["!chunk", "!items0"], await bed.RowKeysAsync(workflow.Id, 0));
        Assert.Equal(new Dictionary<string, int> { ["done"] = 150 }, (await bed.Engine.GetAsync(workflow.Id, Cancel))!.FinalCounts);
    }

    [Fact]
    public async Task ItemsThatOutgrowTheManifestBecomeRowsAndACrashPartWayIsFinishedByTheRedelivery()
    {
        var bed = new WorkflowTestBed(azurite);
        var workflow = await bed.Engine.StartAsync(WorkflowTestBed.Request(150, chunkSize: 150), Cancel);
        var message = Assert.Single(await bed.ReceiveAsync());
        // ~20 KB compressed per item: 3 MB for the chunk, more than a manifest holds.
        var growing = new ScriptedProcessor { Data = _ => WorkflowTestBed.Incompressible(20_000) };

        bed.Crash.Allow(1);
        await Assert.ThrowsAsync<InvalidOperationException>(() => bed.DeliverAsync(message, growing, delete: false));
        bed.Crash.Disarm();

        Assert.Contains("!items0", await bed.RowKeysAsync(workflow.Id, 0));
        var listed = await bed.AllItemsAsync(workflow.Id, 40);
        Assert.Equal(150, listed.Count);
        Assert.Equal((99, 51), (listed.Count(i => i.State == "done"), listed.Count(i => i.State == "pending")));
        Assert.Equal(51, (await bed.Engine.GetOpenItemsAsync(workflow, 1000, Cancel)).Count);

        var redelivery = new ScriptedProcessor();
        await bed.DeliverAsync(message, redelivery, dequeueCount: 2);

        Assert.Equal(51, redelivery.Seen.Count);
        Assert.Equal(151, (await bed.RowKeysAsync(workflow.Id, 0)).Count);
        Assert.Equal(new Dictionary<string, int> { ["done"] = 150 }, (await bed.Engine.GetAsync(workflow.Id, Cancel))!.FinalCounts);
    }

    [Fact]
    public async Task ACancelBeforeAnyWaveRewritesTheManifestWithTheCancelledAndTheSkippedItems()
    {
        var bed = new WorkflowTestBed(azurite);
        var request = WorkflowTestBed.Request(30, chunkSize: 30);
        request = request with { Items = [.. request.Items.Select((s, i) => i < 5 ? s with { State = "skipped-x", Terminal = true } : s)] };
        var workflow = await bed.Engine.StartAsync(request, Cancel);

        await bed.Engine.CancelAsync(workflow.Id, Cancel);
        await bed.DrainAsync(new ScriptedProcessor());

        Assert.Equal(["!chunk", "!items0"], await bed.RowKeysAsync(workflow.Id, 0));
        Assert.Equal(new Dictionary<string, int> { ["cancelled"] = 25, ["skipped-x"] = 5 }, (await bed.Engine.GetAsync(workflow.Id, Cancel))!.FinalCounts);
    }

    [Fact]
    public async Task AManifestThatShrinksDropsTheRowsItNoLongerNeeds()
    {
        var bed = new WorkflowTestBed(azurite);
        var request = WorkflowTestBed.Request(100);
        request = request with { Items = [.. request.Items.Select(s => s with { Data = WorkflowTestBed.Incompressible(12_000) })] };
        var workflow = await bed.Engine.StartAsync(request, Cancel);
        Assert.Equal(["!chunk", "!items0", "!items1", "!items2"], await bed.RowKeysAsync(workflow.Id, 0));

        await bed.DrainAsync(new ScriptedProcessor { Data = _ => "small" });

        Assert.Equal(["!chunk", "!items0"], await bed.RowKeysAsync(workflow.Id, 0));
        Assert.All(await bed.AllItemsAsync(workflow.Id, 30), i => Assert.Equal(("done", "small"), (i.State, i.Data)));
    }

    [Fact]
    public async Task AManifestOverOneRowIsSplitAndReadBackWhole()
    {
        var bed = new WorkflowTestBed(azurite);
        // ~1.2 MB compressed: three manifest rows of at most 10 x 60 KB.
        var request = WorkflowTestBed.Request(100);
        request = request with { Items = [.. request.Items.Select(s => s with { Data = WorkflowTestBed.Incompressible(12_000) })] };

        var workflow = await bed.Engine.StartAsync(request, Cancel);

        Assert.Equal(["!chunk", "!items0", "!items1", "!items2"], await bed.RowKeysAsync(workflow.Id, 0));
        var listed = await bed.AllItemsAsync(workflow.Id, 30);
        Assert.Equal(request.Items.Select(s => (s.Key, s.Data)), listed.Select(i => (i.Key, i.Data)));

        // A wave rewrites the same ~1.2 MB: every row within what Azurite takes for one entity (base64 on the wire).
        await bed.DrainAsync(new ScriptedProcessor());
        Assert.Equal(["!chunk", "!items0", "!items1", "!items2"], await bed.RowKeysAsync(workflow.Id, 0));
        var done = await bed.AllItemsAsync(workflow.Id, 30);
        Assert.Equal(request.Items.Select(s => (s.Key, s.Data, "done")), done.Select(i => (i.Key, i.Data, i.State)));
    }

    [Fact]
    public async Task ItemsTooBigForAManifestAreWrittenAsRowsAtTheStart()
    {
        var bed = new WorkflowTestBed(azurite);
        // Incompressible data: 200 x 20,000 characters of random base64 compress to ~3 MB, over what one transaction carries.
        var request = WorkflowTestBed.RowsRequest(200, chunkSize: 200);

        var workflow = await bed.Engine.StartAsync(request, Cancel);

        Assert.Equal(201, (await bed.RowKeysAsync(workflow.Id, 0)).Count);
        await bed.DrainAsync(new ScriptedProcessor());
        Assert.Equal(new Dictionary<string, int> { ["done"] = 200 }, (await bed.Engine.GetAsync(workflow.Id, Cancel))!.FinalCounts);
    }

    [Fact]
    public void KeysThatWouldSortBeforeTheManifestAreRefused()
    {
        Assert.False(WorkflowRows.IsValidItemKey(" leading space"));
        Assert.False(WorkflowRows.IsValidItemKey("!bang"));
        Assert.True(WorkflowRows.IsValidItemKey("\"quoted\""));
    }
}
