using ManagedDistribution.Platform.Workflows;
using Microsoft.Extensions.Options;

namespace ManagedDistribution.Features.Devices.Push;

/// <summary>
/// <see cref="IPushScheduler"/> as a push delivery workflow: the channels become the items,
/// <see cref="PushOptions.ChunkSize"/> per chunk, each chunk run by <c>PushQueue</c>.
/// </summary>
sealed class PushScheduler(WorkflowEngine engine, IOptions<PushOptions> options) : IPushScheduler
{
    public const string Kind = "push";
    public const string QueueName = "push";

    public async Task<string> SchedulePushesAsync(IReadOnlyCollection<ChannelId> channels, string reason, string idempotencyKey,
        CancellationToken cancellationToken)
    {
        var items = channels.Select(c => new WorkflowItemSeed(c.ToString(), c.DeviceId, c.UserId is null ? null : "user " + c.UserId)).ToList();
        var workflow = await engine.StartAsync(new WorkflowStartRequest(Kind, QueueName, reason, idempotencyKey, items, options.Value.ChunkSize),
            cancellationToken);
        return workflow.Id;
    }
}
