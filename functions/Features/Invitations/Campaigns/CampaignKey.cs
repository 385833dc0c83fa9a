using System.Globalization;
using ManagedDistribution.Platform.Workflows;

namespace ManagedDistribution.Features.Invitations.Campaigns;

/// <summary>
/// A campaign's idempotency key: group, audience, channel, resend age and the plan's digest. The
/// workflow keeps it, so every wave knows the audience and the resend cutoff (creation time minus
/// the age) without another table.
/// </summary>
public static class CampaignKey
{
    public const string Kind = "invitation-campaign";
    public const string QueueName = "invitations";

    public static string For(string groupId, InvitationAudience audience, InvitationChannel channel, TimeSpan? resendOlderThan, string planDigest) =>
        string.Join('|', "group:" + groupId, "audience:" + audience, "channel:" + channel,
            "resend:" + (resendOlderThan?.Ticks.ToString(CultureInfo.InvariantCulture) ?? "-"), "plan:" + planDigest);

    /// <summary>A single-user invitation's one-item follow-up workflow.</summary>
    public static string ForSingle(string userId, string firstCommandUuid) => $"user:{userId}|command:{firstCommandUuid}";

    /// <summary>Whether the workflow is a campaign by email (its key names the channel); device campaigns and single-user follow-ups are not.</summary>
    public static bool IsEmail(WorkflowInfo workflow) => IsCampaignBy(workflow, InvitationChannel.Email);

    /// <summary>Whether the workflow is a campaign by device; email campaigns and single-user follow-ups are not.</summary>
    public static bool IsDevice(WorkflowInfo workflow) => IsCampaignBy(workflow, InvitationChannel.Device);

    static bool IsCampaignBy(WorkflowInfo workflow, InvitationChannel channel) =>
        workflow.Kind == Kind && (workflow.IdempotencyKey ?? "").Split('|').Contains("channel:" + channel, StringComparer.Ordinal);

    public static (InvitationAudience Audience, DateTimeOffset? ResendCutoff) Parse(WorkflowInfo workflow)
    {
        var parts = (workflow.IdempotencyKey ?? "").Split('|').Select(p => p.Split(':', 2)).Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        var audience = parts.TryGetValue("audience", out var a) && Enum.TryParse<InvitationAudience>(a, out var parsed) ? parsed : InvitationAudience.NotInvited;
        var cutoff = parts.TryGetValue("resend", out var r) && long.TryParse(r, CultureInfo.InvariantCulture, out var ticks)
            ? workflow.CreatedAt - TimeSpan.FromTicks(ticks) : (DateTimeOffset?)null;
        return (audience, cutoff);
    }
}
