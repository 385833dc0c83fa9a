using ManagedDistribution.Platform.Workflows;

namespace ManagedDistribution.Features.Invitations.Campaigns;

/// <summary>
/// Wakes the campaign chunk holding a user's invitation when something its follow waves look for
/// happened: the user enrolled (accepted) or the device answered InviteToProgram (delivered /
/// failed). Follow waves back off to <see cref="InvitationsOptions.FollowIntervalMax"/>, so
/// without this an acceptance could show in the task view only a quarter of an hour later.
/// Best effort: the waves still look on their own.
/// </summary>
public sealed partial class CampaignWakeups(WorkflowEngine engine, ILogger<CampaignWakeups> logger)
{
    public async Task WakeAsync(ManagedDistributionState state, CancellationToken cancellationToken)
    {
        if (state is not { InvitedBy: { } campaignId, InvitedChunk: { } chunk }) return;
        try
        {
            await engine.WakeChunkAsync(campaignId, chunk, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogWakeFailed(e, campaignId, chunk, state.UserId);
        }
    }

    [LoggerMessage(LogLevel.Warning, "Could not wake chunk {Chunk} of campaign {WorkflowId} for user {UserId}; its next follow wave will see the change")]
    partial void LogWakeFailed(Exception exception, string workflowId, int chunk, string userId);
}
