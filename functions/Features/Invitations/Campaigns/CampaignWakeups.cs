using System.Collections.Concurrent;
using ManagedDistribution.Platform.Workflows;

namespace ManagedDistribution.Features.Invitations.Campaigns;

/// <summary>
/// Wakes the campaign chunk holding a user's invitation when something its follow waves look for
/// happened: the user enrolled (accepted) or the device answered InviteToProgram (delivered /
/// failed). Follow waves back off to <see cref="InvitationsOptions.FollowIntervalMax"/>, so
/// without this an acceptance could show in the task view only a quarter of an hour later.
/// At most one wake per chunk per <see cref="Window"/> from this instance, due at the window's end:
/// a chunk of 2,000 devices answering within seconds is a few waves, not 2,000 (the engine drops a
/// wake whose due time a wave already passed). Best effort: the waves still look on their own.
/// </summary>
public sealed partial class CampaignWakeups(WorkflowEngine engine, TimeProvider time, ILogger<CampaignWakeups> logger)
{
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(3);
    readonly ConcurrentDictionary<(string Campaign, int Chunk), DateTimeOffset> due = new();

    public async Task WakeAsync(ManagedDistributionState state, CancellationToken cancellationToken)
    {
        if (state is not { InvitedBy: { } campaignId, InvitedChunk: { } chunk }) return;
        var now = time.GetUtcNow();
        var key = (campaignId, chunk);
        // A wake already due later than now covers this event too.
        if (due.TryGetValue(key, out var pending) && pending > now) return;
        due[key] = now + Window;
        if (due.Count > 10_000)
            foreach (var old in due.Where(d => d.Value < now).ToList()) due.TryRemove(old);
        try
        {
            await engine.WakeChunkAsync(campaignId, chunk, Window, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            due.TryRemove(key, out _);
            LogWakeFailed(e, campaignId, chunk, state.UserId);
        }
    }

    [LoggerMessage(LogLevel.Warning, "Could not wake chunk {Chunk} of campaign {WorkflowId} for user {UserId}; its next follow wave will see the change")]
    partial void LogWakeFailed(Exception exception, string workflowId, int chunk, string userId);
}
