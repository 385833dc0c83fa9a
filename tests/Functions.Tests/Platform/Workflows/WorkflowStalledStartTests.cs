using ManagedDistribution.Platform.Storage;
using ManagedDistribution.Platform.Workflows;
using ManagedDistribution.Tests.Infrastructure;

namespace ManagedDistribution.Tests.Platform.Workflows;

/// <summary>Starts whose caller died half-way: the sweep finishes what it can, and says how to resume what it cannot.</summary>
public sealed class WorkflowStalledStartTests(AzuriteFixture azurite)
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AStartLeftWithEveryChunkWrittenButNoMessageSentIsResumedByTheSweep()
    {
        var bed = new WorkflowTestBed(azurite);
        var workflow = await bed.Engine.StartAsync(WorkflowTestBed.Request(250, key: "stalled"), Cancel);
        // As if the caller died after the items: the messages never went out, the row says starting.
        foreach (var message in await bed.ReceiveAsync()) await bed.QueueClient.DeleteMessageAsync(message.MessageId, message.PopReceipt, Cancel);
        var rows = bed.Tables.GetTableClient(WorkflowRows.WorkflowsTable);
        await rows.UpdateEntityAsync(new TableEntity(WorkflowRows.WorkflowPartition, workflow.Id) { ["State"] = WorkflowStates.Starting }, ETag.All,
            TableUpdateMode.Merge, Cancel);

        Assert.Equal(0, await bed.Engine.SweepStalledStartsAsync(TimeSpan.FromHours(1), Cancel)); // too young: its caller may still be at it
        Assert.Equal(WorkflowStates.Starting, (await bed.Engine.GetAsync(workflow.Id, Cancel))!.State);
        Assert.Equal(1, await bed.Engine.SweepStalledStartsAsync(TimeSpan.Zero, Cancel));
        Assert.Equal(WorkflowStates.Running, (await bed.Engine.GetAsync(workflow.Id, Cancel))!.State);
        Assert.Equal(3, await bed.QueueClient.GetApproximateCountAsync(Cancel));

        await bed.DrainAsync(new ScriptedProcessor());
        var done = (await bed.Engine.GetAsync(workflow.Id, Cancel))!;
        Assert.Equal((WorkflowStates.Completed, 250), (done.State, done.FinalCounts!["done"]));
        Assert.Equal(0, await bed.Engine.SweepStalledStartsAsync(TimeSpan.Zero, Cancel));
    }

    [Fact]
    public async Task AStartInterruptedBeforeEveryChunkWasWrittenFailsWithAdviceAndTheSameStartResumesIt()
    {
        var bed = new WorkflowTestBed(azurite);
        var request = WorkflowTestBed.Request(250, key: "interrupted");
        bed.Crash.Allow(1); // one chunk of three lands, then the process dies
        await Assert.ThrowsAnyAsync<Exception>(() => bed.Engine.StartAsync(request, Cancel));
        bed.Crash.Disarm();
        var id = (await bed.Engine.ListAsync(WorkflowFilter.Active, null, 10, Cancel)).Workflows.Single().Id;

        Assert.Equal(1, await bed.Engine.SweepStalledStartsAsync(TimeSpan.Zero, Cancel));
        var failed = (await bed.Engine.GetAsync(id, Cancel))!;
        Assert.Equal((WorkflowStates.Failed, WorkflowEngine.StartInterrupted), (failed.State, failed.Error));

        var resumed = await bed.Engine.StartAsync(request, Cancel);
        Assert.Equal((id, WorkflowStates.Running), (resumed.Id, resumed.State));
        Assert.Null(resumed.Error);
        await bed.DrainAsync(new ScriptedProcessor());
        var done = (await bed.Engine.GetAsync(id, Cancel))!;
        Assert.Equal((WorkflowStates.Completed, 250, null), (done.State, done.FinalCounts!["done"], done.Error));
    }
}
