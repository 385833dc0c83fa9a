namespace ManagedDistribution.Platform.Workflows;

/// <summary>
/// A processor's permission to run a wave that it rations (<see cref="IWorkflowChunkProcessor.TakeTurnAsync"/>),
/// taken before the chunk is loaded and given back once the wave is processed. Disposing twice gives it back once.
/// </summary>
public sealed class WorkflowTurn : IDisposable
{
    SemaphoreSlim? slots;

    WorkflowTurn(SemaphoreSlim slots, TimeSpan waited) => (this.slots, Waited) = (slots, waited);

    /// <summary>How long the wave waited for its turn.</summary>
    public TimeSpan Waited { get; }

    /// <summary>One of <paramref name="slots"/>, waited for if none is free (<see cref="Waited"/> is zero only when one was).</summary>
    public static async Task<WorkflowTurn> TakeAsync(SemaphoreSlim slots, TimeProvider time, CancellationToken cancellationToken)
    {
        if (slots.Wait(0)) return new WorkflowTurn(slots, TimeSpan.Zero);
        var waiting = time.GetTimestamp();
        await slots.WaitAsync(cancellationToken);
        return new WorkflowTurn(slots, time.GetElapsedTime(waiting));
    }

    public void Dispose() => Interlocked.Exchange(ref slots, null)?.Release();
}
