using ManagedDistribution.Features.Directory;
using ManagedDistribution.Platform.Workflows;
using Microsoft.Extensions.Options;

namespace ManagedDistribution.Features.Invitations.Campaigns;

/// <summary>
/// Group invitations (R9, R12): a preview (how many, skipped per reason, the first recipients)
/// and the campaign itself, a chunked persisted workflow (<see cref="CampaignKey.Kind"/>). The
/// same plan started twice is the same workflow; a different plan may overlap a running one, and
/// the per-user claim (<see cref="CampaignProcessor"/>) still invites nobody twice.
/// </summary>
public sealed class CampaignService(GroupStore groups, CampaignPlanner planner, AppleUserRegistration registration, WorkflowEngine engine,
    IOptions<InvitationsOptions> options, TimeProvider time, ILogger<CampaignService> logger)
{
    public const int PreviewRecipients = 50;

    /// <summary>Null with "not-found" when the user group does not exist.</summary>
    public async Task<(CampaignPreview? Preview, string? Refusal)> PreviewAsync(string groupId, InvitationAudience audience, InvitationChannel channel,
        TimeSpan? resendOlderThan, CancellationToken cancellationToken)
    {
        if (await groups.GetAsync(GroupKind.User, groupId, cancellationToken) is null) return (null, "not-found");
        var plan = await planner.PlanAsync(groupId, audience, channel, resendOlderThan, cancellationToken);
        var first = plan.Recipients.Take(PreviewRecipients)
            .Select(r => new CampaignRecipientView(r.UserId, r.Data.FullName, r.Data.Email, [.. r.Data.Channels.Select(c => c.DeviceName)])).ToList();
        return (new CampaignPreview(groupId, audience, channel, plan.Recipients.Count(), plan.Members.Count, plan.SkippedCounts, first), null);
    }

    /// <summary>Null with "not-found" (no such group) or "token-missing" (no usable location token).</summary>
    public async Task<(CampaignStarted? Started, string? Refusal)> StartAsync(string groupId, InvitationAudience audience, InvitationChannel channel,
        TimeSpan? resendOlderThan, CancellationToken cancellationToken)
    {
        if (await groups.GetAsync(GroupKind.User, groupId, cancellationToken) is null) return (null, "not-found");
        if (await registration.InstalledLocationAsync(cancellationToken) is null) return (null, "token-missing");
        var started = time.GetTimestamp();
        var plan = await planner.PlanAsync(groupId, audience, channel, resendOlderThan, cancellationToken);
        var planned = time.GetTimestamp();
        // A planned skip starts closed: no wave has to load, decide and commit it again. Recipients
        // come first (in plan order), skips after: recipients fill whole chunks and the chunks of
        // skips only need no wave at all (a device campaign skips most of a group).
        var digest = Task.Run(plan.Digest, cancellationToken); // beside the seeds: both read the whole plan
        var seeds = plan.Members.OrderBy(m => m.Skipped).AsParallel().AsOrdered() // 100,000 items' JSON: on every core
            .Select(m => new WorkflowItemSeed(m.UserId, m.Data.FullName, Subtitle(m.Data), m.Data.ToJson(),
                m.Data.Skip is { } skip ? RecipientStates.Skipped(skip) : null, Terminal: m.Data.Skip is not null)).ToList();
        var startedAt = time.GetUtcNow();
        var reason = $"Invitation of user group '{groupId}' ({Name(audience)}, by {Name(channel)})";
        var key = CampaignKey.For(groupId, audience, channel, resendOlderThan, await digest);
        var workflow = await engine.StartAsync(new WorkflowStartRequest(CampaignKey.Kind, CampaignKey.QueueName, reason, key, seeds,
            channel == InvitationChannel.Device ? options.Value.DeviceChunkSize : options.Value.ChunkSize), cancellationToken);
        var count = plan.Recipients.Count();
        logger.LogInformation("Invitation campaign {WorkflowId} for group {GroupId}: {Count} to invite, {Skipped} skipped (planned in {PlanMs} ms, started in {StartMs} ms)",
            workflow.Id, groupId, count, plan.Members.Count - count, (int)time.GetElapsedTime(started, planned).TotalMilliseconds,
            (int)time.GetElapsedTime(planned).TotalMilliseconds);
        return (new CampaignStarted(workflow.Id, count, plan.SkippedCounts, workflow.CreatedAt < startedAt), null);
    }

    /// <summary>What the task views show under the user's name: the devices for a device invitation, else the address.</summary>
    public static string? Subtitle(RecipientData data) =>
        data.Channel == InvitationChannel.Device ? string.Join(", ", data.Channels.Select(c => c.DeviceName)) is { Length: > 0 } names ? names : null
        : data.Email;

    static string Name(InvitationAudience audience) => audience == InvitationAudience.NotInvited ? "notInvited" : "notEnrolled";
    static string Name(InvitationChannel channel) => channel == InvitationChannel.Email ? "email" : "device";
}
