using ManagedDistribution.Platform.Hosting;
using ManagedDistribution.Platform.Workflows;
using Microsoft.Extensions.Options;

namespace ManagedDistribution.Features.Devices.Push;

/// <summary>
/// Queue function <c>PushQueue</c> (queue <c>push</c>): runs one wave of one chunk of a push
/// delivery workflow. <see cref="IPushTargets"/> comes from the Devices feature and is resolved
/// here, per message, so the app starts (and validates its container) without it.
/// </summary>
sealed class PushQueueHandler(WorkflowEngine engine, IServiceProvider services, IOptions<HostingOptions> hosting) : IQueueHandler
{
    public Task HandleAsync(QueueInvocation invocation, CancellationToken cancellationToken)
    {
        var targets = services.GetService<IPushTargets>()
            ?? throw new InvalidOperationException("No IPushTargets is registered; the Devices feature provides it.");
        var processor = ActivatorUtilities.CreateInstance<PushChunkProcessor>(services, targets);
        return engine.RunChunkAsync(invocation, processor, hosting.Value.MaxDequeueCount, cancellationToken);
    }
}
