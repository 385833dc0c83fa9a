using System.Text.Json;
using ManagedDistribution.Platform.Hosting;
using Microsoft.Extensions.Options;

namespace ManagedDistribution.Features.Reconciliation;

/// <summary>Queue function <c>ReconciliationQueue</c>: carries a run on; the last attempt marks it failed instead of throwing.</summary>
sealed class ReconciliationQueueHandler(ReconciliationRuns runs, IOptions<HostingOptions> hosting, ILogger<ReconciliationQueueHandler> logger) : IQueueHandler
{
    public async Task HandleAsync(QueueInvocation invocation, CancellationToken cancellationToken)
    {
        var message = JsonSerializer.Deserialize<ReconciliationMessage>(invocation.MessageText, JsonSerializerOptions.Web);
        if (message?.RunId is not { Length: > 0 } runId)
        {
            logger.LogWarning("Reconciliation message {MessageId} names no run; dropped", invocation.MessageId);
            return;
        }
        try
        {
            await runs.RunAsync(runId, cancellationToken);
        }
        catch (Exception e) when (invocation.DequeueCount >= hosting.Value.MaxDequeueCount && !cancellationToken.IsCancellationRequested)
        {
            logger.LogError(e, "Reconciliation {RunId} failed after {Attempts} attempts", runId, invocation.DequeueCount);
            await runs.FailAsync(runId, e.Message, cancellationToken);
        }
    }
}

/// <summary>Timer function <c>ReconciliationTimer</c> (<c>Reconciliation:Schedule</c>, hourly): starts a run unless one is running.</summary>
sealed class ReconciliationTimerHandler(ReconciliationRuns runs) : ITimerHandler
{
    public Task HandleAsync(TimerInvocation invocation, CancellationToken cancellationToken) =>
        runs.StartAsync("timer", full: false, cancellationToken);
}
