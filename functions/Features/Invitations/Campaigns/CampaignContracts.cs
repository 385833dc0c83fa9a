using System.Text.Json.Serialization;

namespace ManagedDistribution.Features.Invitations.Campaigns;

/// <summary>Who a group invitation goes to (R12): users never invited, or users invited but not yet enrolled.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<InvitationAudience>))]
public enum InvitationAudience
{
    [JsonStringEnumMemberName("notInvited")] NotInvited,
    [JsonStringEnumMemberName("notEnrolled")] NotEnrolled,
}

/// <summary>
/// Body of <c>POST /api/user-groups/{id}/invitations</c> and <c>/invitations/preview</c>.
/// <c>resendOlderThan</c> (e.g. <c>"7.00:00:00"</c>) also re-invites invited users whose last
/// invitation is older than that; without it an invited user is never invited again by notInvited.
/// </summary>
public sealed record CampaignRequest(InvitationAudience? Audience, InvitationChannel? Channel, TimeSpan? ResendOlderThan = null);

/// <summary>One recipient as a preview shows it.</summary>
public sealed record CampaignRecipientView(string UserId, string FullName, string? Email, IReadOnlyList<string> Devices);

/// <summary>What a campaign would do: how many invitations, who is skipped and why (counts per reason), the first recipients.</summary>
public sealed record CampaignPreview(
    string GroupId, InvitationAudience Audience, InvitationChannel Channel, int Count, int Members,
    IReadOnlyDictionary<string, int> Skipped, IReadOnlyList<CampaignRecipientView> Recipients);

/// <summary>A started campaign: the task to follow (<c>GET /api/tasks/{taskId}</c>) and how many invitations it sends.</summary>
public sealed record CampaignStarted(string TaskId, int Count, IReadOnlyDictionary<string, int> Skipped, bool AlreadyStarted);

/// <summary>Why a member is not invited by a campaign (the item state is <c>skipped-{reason}</c>).</summary>
public static class SkipReasons
{
    public const string UserMissing = "user-missing";
    public const string NotEnabled = "managed-distribution-not-enabled";
    public const string AlreadyEnrolled = "already-enrolled";
    public const string AlreadyInvited = "already-invited";
    public const string NeverInvited = "never-invited";
    public const string NoEmail = "no-email";
    public const string NoEnrolledDevice = "no-enrolled-device";
}

/// <summary>
/// Item states of an <c>invitation-campaign</c> workflow: queued (the engine's <c>pending</c>) →
/// <c>sent</c> (mail handed over / command queued and push scheduled) → <c>delivered</c> (a device
/// acknowledged InviteToProgram) → <c>accepted</c> (the user enrolled); <c>failed</c> with a
/// reason; <c>skipped-{reason}</c>. Sent and delivered stay open while the campaign follows them.
/// </summary>
public static class RecipientStates
{
    public const string Sent = "sent";
    public const string Delivered = "delivered";
    public const string Accepted = "accepted";
    public const string Failed = "failed";
    public const string Retrying = "retrying";
    public static string Skipped(string reason) => "skipped-" + reason;
}
