using ManagedDistribution.Platform.Workflows;
using ManagedDistribution.Tests.Infrastructure;

namespace ManagedDistribution.Tests.Platform.Workflows;

/// <summary>Turns a processor rations (<see cref="IWorkflowChunkProcessor.TakeTurnAsync"/>): taken before the chunk loads, given back after the wave.</summary>
public sealed class WorkflowTurnTests(AzuriteFixture azurite)
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AWaveWaitingForItsTurnIsNotProcessedAndACancelMeanwhileClosesItsItems()
    {
        var bed = new WorkflowTestBed(azurite);
        var workflow = await bed.Engine.StartAsync(WorkflowTestBed.Request(120), Cancel);
        var processor = new OneAtATime();
        var messages = await bed.ReceiveAsync();
        Assert.Equal(2, messages.Count);
        processor.Slots.Wait(Cancel); // another wave holds the only turn

        var first = messages.Single(m => WorkflowMessage.TryParse(m.Text)!.Chunk == 0); // 100 items (chunk 1 holds 20)
        var waiting = bed.DeliverAsync(first, processor);
        await processor.Asked.Task.WaitAsync(TimeSpan.FromSeconds(30), Cancel);
        await Task.Delay(200, Cancel);
        Assert.False(waiting.IsCompleted);
        Assert.Equal(CancelOutcome.Cancelled, (await bed.Engine.CancelAsync(workflow.Id, Cancel)).Outcome);
        processor.Slots.Release();
        await waiting;

        Assert.Empty(processor.Scripted.Seen);
        Assert.Equal(1, processor.Slots.CurrentCount); // given back
        var progress = await bed.Engine.GetProgressAsync((await bed.Engine.GetAsync(workflow.Id, Cancel))!, Cancel);
        Assert.Equal(100, progress.Counts.GetValueOrDefault("cancelled"));
    }

    [Fact]
    public async Task AWaveRunsInItsTurnAndGivesItBackOnceProcessed()
    {
        var bed = new WorkflowTestBed(azurite);
        var workflow = await bed.Engine.StartAsync(WorkflowTestBed.Request(120), Cancel);
        var processor = new OneAtATime();

        await bed.DrainAsync(processor);

        Assert.Equal(120, processor.Scripted.Seen.Count);
        Assert.Equal([true, true], processor.HeldWhileProcessing);
        Assert.Equal(1, processor.Slots.CurrentCount);
        Assert.Equal(WorkflowStates.Completed, (await bed.Engine.GetAsync(workflow.Id, Cancel))!.State);
    }

    /// <summary>One wave at a time; records whether each processed wave held its turn.</summary>
    sealed class OneAtATime : IWorkflowChunkProcessor
    {
        public SemaphoreSlim Slots { get; } = new(1);
        public TaskCompletionSource Asked { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public ScriptedProcessor Scripted { get; } = new();
        public List<bool> HeldWhileProcessing { get; } = [];

        public Task<WorkflowTurn?> TakeTurnAsync(WorkflowInfo workflow, int wave, CancellationToken cancellationToken)
        {
            Asked.TrySetResult();
            return WorkflowTurn.TakeAsync(Slots, TimeProvider.System, cancellationToken)!;
        }

        public Task<WorkflowChunkResult> ProcessAsync(WorkflowChunk chunk, CancellationToken cancellationToken)
        {
            HeldWhileProcessing.Add(chunk.Turn is not null && Slots.CurrentCount == 0);
            return Scripted.ProcessAsync(chunk, cancellationToken);
        }
    }
}
