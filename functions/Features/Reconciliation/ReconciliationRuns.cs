using System.Text.Json;
using ManagedDistribution.Features.LocationTokens;
using ManagedDistribution.Platform.Storage;
using Microsoft.Extensions.Options;

namespace ManagedDistribution.Features.Reconciliation;

/// <summary>The message of <c>ReconciliationQueue</c>: which run to carry on.</summary>
public sealed record ReconciliationMessage(string RunId);

/// <summary>
/// Starts runs (one at a time: a start while one runs answers the running one) and carries them
/// out. A run is a row plus a queue message; the work happens in the queue function, so it
/// survives a restart: a redelivered message skips the locations already saved and redoes the
/// one in progress (every step is idempotent: Apple's associate of an existing assignment
/// succeeds, ledger settlements carry the run id as step key).
/// </summary>
public sealed class ReconciliationRuns(
    ReconciliationStore store, ReconciliationState state, LocationTokenStore tokens, QueueServiceClient queues,
    IServiceProvider services, IOptions<ReconciliationOptions> options, TimeProvider time, ILogger<ReconciliationRuns> logger)
{
    public const string QueueName = "reconciliation";
    int queueCreated;

    public async Task<ReconciliationStarted> StartAsync(string trigger, bool full, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var (holder, etag) = await state.GetLockAsync(cancellationToken);
            if (holder is not null && await store.GetRunAsync(holder, cancellationToken) is { State: RunStates.Running } running)
            {
                if (time.GetUtcNow() - running.UpdatedAt < options.Value.RunTimeout)
                    return new ReconciliationStarted(running.RunId, running.State, AlreadyRunning: true);
                await FinishAsync(running, RunStates.Failed, "Abandoned: no progress within Reconciliation:RunTimeout.", cancellationToken);
            }
            var runId = store.NewRunId();
            if (!await state.TryTakeLockAsync(runId, etag, cancellationToken))
            {
                if (attempt >= 5) throw new InvalidOperationException("Could not take the reconciliation lock.");
                continue;
            }
            await store.AddRunAsync(runId, trigger, full, cancellationToken);
            var queue = queues.GetQueueClient(QueueName);
            if (Interlocked.CompareExchange(ref queueCreated, 1, 0) == 0) await queue.CreateIfNotExistsAsync(cancellationToken);
            await queue.SendMessageAsync(JsonSerializer.Serialize(new ReconciliationMessage(runId), JsonSerializerOptions.Web), null, null, cancellationToken);
            logger.LogInformation("Reconciliation {RunId} started ({Trigger}, full: {Full})", runId, trigger, full);
            return new ReconciliationStarted(runId, RunStates.Running, AlreadyRunning: false);
        }
    }

    /// <summary>Carries a run on from where it stopped; a finished run is left alone.</summary>
    public async Task RunAsync(string runId, CancellationToken cancellationToken)
    {
        if (await store.GetRunAsync(runId, cancellationToken) is not { State: RunStates.Running } run) return;
        var locations = await tokens.ListAsync(cancellationToken);
        var done = await store.GetLocationsAsync(runId, cancellationToken);
        var totals = done.Aggregate(DriftTotals.Zero, (t, l) => t.Add(l.Totals));
        run = run with { LocationsTotal = locations.Count, LocationsDone = done.Count, Totals = totals };
        await store.SaveRunAsync(run, cancellationToken);
        foreach (var location in locations.Where(l => done.All(d => d.LocationUId != l.UId)))
        {
            using var scope = services.CreateScope();
            var reconciler = ActivatorUtilities.CreateInstance<LocationReconciler>(scope.ServiceProvider);
            var drift = await reconciler.RunAsync(runId, location, run.FullRequested, cancellationToken);
            await store.SaveLocationAsync(runId, drift, cancellationToken);
            run = run with { LocationsDone = run.LocationsDone + 1, Totals = run.Totals.Add(drift.Totals) };
            await store.SaveRunAsync(run, cancellationToken);
        }
        await FinishAsync(run, RunStates.Completed, null, cancellationToken);
    }

    /// <summary>Gives up on a run (its message is about to be poisoned).</summary>
    public async Task FailAsync(string runId, string error, CancellationToken cancellationToken)
    {
        if (await store.GetRunAsync(runId, cancellationToken) is { State: RunStates.Running } run)
            await FinishAsync(run, RunStates.Failed, error, cancellationToken);
    }

    async Task FinishAsync(ReconciliationRunRow run, string finalState, string? error, CancellationToken cancellationToken)
    {
        await store.SaveRunAsync(run with { State = finalState, CompletedAt = time.GetUtcNow(), Error = error }, cancellationToken);
        await state.ReleaseLockAsync(run.RunId, cancellationToken);
        logger.LogInformation("Reconciliation {RunId} {State}: {Totals}", run.RunId, finalState, run.Totals);
    }
}
