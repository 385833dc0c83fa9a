using ManagedDistribution.Platform.Workflows;
using ManagedDistribution.Tests.Infrastructure;

namespace ManagedDistribution.Tests.Platform.Workflows;

/// <summary>
/// Inline runs a held-back message rescues (<see cref="WorkflowStartRequest.FirstMessageDelay"/>,
/// <see cref="WorkflowEngine.RunFirstWaveNowAsync"/>): the caller runs wave 0, the message only
/// finishes what the caller did not.
/// </summary>
public sealed class WorkflowInlineRunTests(AzuriteFixture azurite)
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;
    static readonly TimeSpan HeldBack = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task AnInlineRunCompletesTheWorkflowAndItsHeldBackMessageIsDropped()
    {
        var bed = new WorkflowTestBed(azurite);
        var workflow = await bed.Engine.StartAsync(WorkflowTestBed.Request(50) with { FirstMessageDelay = HeldBack }, Cancel);
        Assert.Empty(await bed.ReceiveAsync()); // held back
        var processor = new ScriptedProcessor();

        await bed.Engine.RunFirstWaveNowAsync(workflow.Id, 0, processor, Cancel);
        Assert.Equal(50, processor.Seen.Count);
        Assert.Equal(WorkflowStates.Completed, (await bed.Engine.GetAsync(workflow.Id, Cancel))!.State);

        var held = await HeldBackMessageAsync(bed);
        await bed.DeliverAsync(held, processor);
        Assert.Equal(50, processor.Seen.Count); // not run again
    }

    [Fact]
    public async Task AHeldBackMessageRunsTheWaveAnInlineRunDidNotFinish()
    {
        var bed = new WorkflowTestBed(azurite);
        var workflow = await bed.Engine.StartAsync(WorkflowTestBed.Request(50) with { FirstMessageDelay = HeldBack }, Cancel);
        var dying = new ScriptedProcessor { Before = _ => throw new InvalidOperationException("the request died") };
        await Assert.ThrowsAsync<InvalidOperationException>(() => bed.Engine.RunFirstWaveNowAsync(workflow.Id, 0, dying, Cancel));
        Assert.Equal(WorkflowStates.Running, (await bed.Engine.GetAsync(workflow.Id, Cancel))!.State);

        var processor = new ScriptedProcessor();
        await bed.DeliverAsync(await HeldBackMessageAsync(bed), processor);
        Assert.Equal(50, processor.Seen.Count);
        var done = (await bed.Engine.GetAsync(workflow.Id, Cancel))!;
        Assert.Equal((WorkflowStates.Completed, 50), (done.State, (await bed.Engine.GetProgressAsync(done, Cancel)).Counts["done"]));
    }

    static async Task<ManagedDistribution.Platform.Storage.QueueMessage> HeldBackMessageAsync(WorkflowTestBed bed)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            if ((await bed.ReceiveAsync()) is [var message]) return message;
            await Task.Delay(100, Cancel);
        }
        throw new TimeoutException("The held-back wave 0 message never became visible.");
    }
}
