using ManagedDistribution.Platform.Workflows;
using ManagedDistribution.Tests.Infrastructure;

namespace ManagedDistribution.Tests.Platform.Workflows;

/// <summary>Waking a chunk: its next wave now, never lost to a racing wave, never one wave per event.</summary>
public sealed class WorkflowWakeTests(AzuriteFixture azurite)
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AWakeRunsTheNextWaveAndTheOvertakenTimerIsDropped()
    {
        var bed = new WorkflowTestBed(azurite);
        var workflow = await bed.Engine.StartAsync(WorkflowTestBed.Request(3), Cancel);
        var processor = new ScriptedProcessor { FinishOnWave = _ => 99 };
        await bed.Engine.WakeChunkAsync(workflow.Id, 0, TimeSpan.Zero, Cancel); // before the first wave: dropped
        foreach (var message in await bed.ReceiveAsync()) await bed.DeliverAsync(message, processor);
        Assert.Equal([0, 0, 0], processor.Seen.Select(s => s.Wave));

        await bed.Engine.WakeChunkAsync(workflow.Id, 0, TimeSpan.Zero, Cancel);
        var queued = await bed.ReceiveAsync(); // the wave-1 timer and the wake
        Assert.Equal(2, queued.Count);
        foreach (var message in queued.OrderBy(m => WorkflowMessage.TryParse(m.Text)!.Woken is null)) await bed.DeliverAsync(message, processor);

        Assert.Equal([0, 0, 0, 1, 1, 1], processor.Seen.Select(s => s.Wave));
    }

    [Fact]
    public async Task AWakeIsDroppedOnlyWhenAWaveBeganAfterItWasDue()
    {
        var bed = new WorkflowTestBed(azurite);
        var workflow = await bed.Engine.StartAsync(WorkflowTestBed.Request(2), Cancel);
        var processor = new ScriptedProcessor { FinishOnWave = _ => 99 };
        foreach (var message in await bed.ReceiveAsync()) await bed.DeliverAsync(message, processor);
        var timer = Assert.Single(await bed.ReceiveAsync());

        // The first wake is due before the timer's wave begins: that wave serves it.
        await bed.Engine.WakeChunkAsync(workflow.Id, 0, TimeSpan.Zero, Cancel);
        var early = Assert.Single(await bed.ReceiveAsync());
        await bed.DeliverAsync(timer, processor);
        await bed.DeliverAsync(early, processor);
        Assert.Equal(4, processor.Seen.Count);

        // A wake due after the last wave began runs another one, although its message was sent before that wave committed.
        await bed.Engine.WakeChunkAsync(workflow.Id, 0, TimeSpan.Zero, Cancel);
        var late = (await bed.ReceiveAsync()).Single(m => WorkflowMessage.TryParse(m.Text)!.Woken is not null);
        await bed.DeliverAsync(late, processor);
        Assert.Equal(6, processor.Seen.Count);
        Assert.Equal(2, processor.Seen.Max(s => s.Wave));
    }
}
