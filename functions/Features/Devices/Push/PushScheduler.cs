using ManagedDistribution.Platform.Workflows;
using Microsoft.Extensions.Options;

namespace ManagedDistribution.Features.Devices.Push;

/// <summary>
/// <see cref="IPushScheduler"/> as a push delivery workflow: the channels become the items,
/// <see cref="PushOptions.ChunkSize"/> per chunk. The first wave (look up, push) runs here, inside
/// the start, so the items are written once as pushed instead of written, loaded and committed
/// (a 50,000-device assignment: 50,000 item merges and 100 queue hops fewer, and the devices are
/// woken without waiting for the queue); later waves run from <c>PushQueue</c>.
/// </summary>
sealed class PushScheduler(WorkflowEngine engine, IServiceProvider services, IOptions<PushOptions> options) : IPushScheduler
{
    public const string Kind = "push";
    public const string QueueName = "push";

    public async Task<string> SchedulePushesAsync(IReadOnlyCollection<ChannelId> channels, string reason, string idempotencyKey,
        CancellationToken cancellationToken)
    {
        var items = channels.Select(c => new WorkflowItemSeed(c.ToString(), c.DeviceId, c.UserId is null ? null : "user " + c.UserId)).ToList();
        // Without the Devices feature (no IPushTargets) the queue runs every wave and reports the gap.
        var firstWave = services.GetService<IPushTargets>() is { } targets ? ActivatorUtilities.CreateInstance<PushChunkProcessor>(services, targets) : null;
        var workflow = await engine.StartAsync(new WorkflowStartRequest(Kind, QueueName, reason, idempotencyKey, items, options.Value.ChunkSize),
            firstWave, cancellationToken);
        return workflow.Id;
    }
}
