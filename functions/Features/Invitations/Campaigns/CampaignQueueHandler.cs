using ManagedDistribution.Platform.Hosting;
using ManagedDistribution.Platform.Workflows;
using Microsoft.Extensions.Options;

namespace ManagedDistribution.Features.Invitations.Campaigns;

/// <summary>Queue function <c>InvitationQueue</c> (queue <c>invitations</c>): one wave of one chunk of an invitation campaign.</summary>
sealed class CampaignQueueHandler(WorkflowEngine engine, CampaignProcessor processor, IOptions<HostingOptions> hosting) : IQueueHandler
{
    public Task HandleAsync(QueueInvocation invocation, CancellationToken cancellationToken) =>
        engine.RunChunkAsync(invocation, processor, hosting.Value.MaxDequeueCount, cancellationToken);
}
