using ManagedDistribution.Platform.Workflows;
using ManagedDistribution.Tests.Infrastructure;

namespace ManagedDistribution.Tests.Platform.Workflows;

/// <summary>Finished workflows are deleted with their items once they are old enough; live ones and resumable ones stay.</summary>
public sealed class WorkflowRetentionTests(AzuriteFixture azurite)
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task FinishedWorkflowsOlderThanTheCutoffGoWithEveryRowOfTheirChunksAndLiveOnesStay()
    {
        var bed = new WorkflowTestBed(azurite);
        var finished = await bed.Engine.StartAsync(WorkflowTestBed.Request(250, key: "finished"), Cancel);
        var inRows = await bed.Engine.StartAsync(WorkflowTestBed.RowsRequest(150, chunkSize: 150), Cancel); // items as rows, not a manifest
        await bed.DrainAsync(new ScriptedProcessor());
        var live = await bed.Engine.StartAsync(WorkflowTestBed.Request(10, key: "live"), Cancel);
        foreach (var id in (string[])[finished.Id, inRows.Id]) Assert.Equal(WorkflowStates.Completed, (await bed.Engine.GetAsync(id, Cancel))!.State);
        Assert.NotEmpty(await bed.RowKeysAsync(inRows.Id, 0));

        Assert.Equal(0, await bed.Engine.DeleteFinishedAsync(DateTimeOffset.UtcNow - TimeSpan.FromHours(1), 200, Cancel)); // too young
        Assert.Equal(1, await bed.Engine.DeleteFinishedAsync(DateTimeOffset.UtcNow + TimeSpan.FromMinutes(1), 1, Cancel)); // the limit
        Assert.Equal(1, await bed.Engine.DeleteFinishedAsync(DateTimeOffset.UtcNow + TimeSpan.FromMinutes(1), 200, Cancel)); // the next sweep goes on

        foreach (var gone in (WorkflowInfo[])[finished, inRows])
        {
            Assert.Null(await bed.Engine.GetAsync(gone.Id, Cancel));
            for (var chunk = 0; chunk < gone.ChunkCount; chunk++) Assert.Empty(await bed.RowKeysAsync(gone.Id, chunk));
        }
        Assert.Equal(WorkflowStates.Running, (await bed.Engine.GetAsync(live.Id, Cancel))!.State);
        Assert.NotEmpty(await bed.RowKeysAsync(live.Id, 0));
        Assert.Equal(0, await bed.Engine.DeleteFinishedAsync(DateTimeOffset.UtcNow + TimeSpan.FromMinutes(1), 200, Cancel));

        // The same start after its workflow was deleted is a new run.
        var again = await bed.Engine.StartAsync(WorkflowTestBed.Request(250, key: "finished"), Cancel);
        Assert.Equal((finished.Id, WorkflowStates.Running, 250), (again.Id, again.State, again.ItemCount));
    }

    [Fact]
    public async Task AStartInterruptedHalfWayIsKeptSoThatTheSameStartCanStillResumeIt()
    {
        var bed = new WorkflowTestBed(azurite);
        var request = WorkflowTestBed.Request(250, key: "interrupted");
        bed.Crash.Allow(1);
        await Assert.ThrowsAnyAsync<Exception>(() => bed.Engine.StartAsync(request, Cancel));
        bed.Crash.Disarm();
        Assert.Equal(1, await bed.Engine.SweepStalledStartsAsync(TimeSpan.Zero, Cancel));

        Assert.Equal(0, await bed.Engine.DeleteFinishedAsync(DateTimeOffset.UtcNow + TimeSpan.FromMinutes(1), 200, Cancel));
        var resumed = await bed.Engine.StartAsync(request, Cancel);
        await bed.DrainAsync(new ScriptedProcessor());
        var done = (await bed.Engine.GetAsync(resumed.Id, Cancel))!;
        Assert.Equal((WorkflowStates.Completed, 250), (done.State, done.FinalCounts!["done"]));
    }
}
