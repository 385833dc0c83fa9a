using ManagedDistribution.Platform.Workflows;
using Microsoft.Extensions.Options;

namespace ManagedDistribution.Features.Devices.Push;

/// <summary>
/// <see cref="IPushScheduler"/> as a push delivery workflow: the channels become the items,
/// <see cref="PushOptions.ChunkSize"/> per chunk, waves run from <c>PushQueue</c>. For up to one
/// chunk (a command to one device, a campaign chunk's invitations) the first wave (look up, push)
/// runs here, inside the start: the device is woken without a queue hop and the items are written
/// once as pushed instead of written, loaded and committed.
/// </summary>
sealed class PushScheduler(WorkflowEngine engine, IServiceProvider services, IOptions<PushOptions> options) : IPushScheduler
{
    public const string Kind = "push";
    public const string QueueName = "push";

    public async Task<string> SchedulePushesAsync(IReadOnlyCollection<ChannelId> channels, string reason, string idempotencyKey,
        CancellationToken cancellationToken)
    {
        // In device bucket order (then id), so a chunk's channels share a few bucket tables of the
        // device registry and its push targets are a few range reads (PushTargets.GetManyAsync).
        var items = channels.OrderBy(c => Registry.DeviceRecord.BucketOf(c.DeviceId))
            .ThenBy(c => c.DeviceId, StringComparer.Ordinal).ThenBy(c => c.UserId, StringComparer.Ordinal)
            .Select(c => new WorkflowItemSeed(c.ToString(), c.DeviceId, c.UserId is null ? null : "user " + c.UserId)).ToList();
        // Inline only up to one chunk: a big fan-out's first wave would hold its caller (assign-group
        // 50,000: each licensing chunk of 10,000 devices waited for 10,000 look-ups; 55-59 s instead
        // of 34-40 s), while from the queue its chunks spread over instances. Without the Devices
        // feature (no IPushTargets) the queue runs every wave and reports the gap.
        var firstWave = items.Count <= options.Value.ChunkSize && services.GetService<IPushTargets>() is { } targets
            ? ActivatorUtilities.CreateInstance<PushChunkProcessor>(services, targets) : null;
        var workflow = await engine.StartAsync(new WorkflowStartRequest(Kind, QueueName, reason, idempotencyKey, items, options.Value.ChunkSize),
            firstWave, cancellationToken);
        return workflow.Id;
    }
}
