using ManagedDistribution.Features.Directory;

namespace ManagedDistribution.Features.Invitations.Campaigns;

/// <summary>
/// Who a campaign invites (R11, R12, R16), as a pure decision over one member: null to invite, else
/// the skip reason. Applied when planning and again, on fresh state, just before sending.
/// </summary>
public static class CampaignRules
{
    /// <param name="resendCutoff">Invited users whose invitation is older than this are invited again.</param>
    public static string? SkipReason(UserSummary? user, ManagedDistributionState state, InvitationAudience audience, InvitationChannel channel,
        int usableChannels, DateTimeOffset? resendCutoff)
    {
        if (user is null) return SkipReasons.UserMissing;
        if (!state.Enabled) return SkipReasons.NotEnabled;
        if (state.Status == EnrolmentStatus.Enrolled) return SkipReasons.AlreadyEnrolled;
        if (state.InviteCode is null) return SkipReasons.NotEnabled;
        var invited = state.Status == EnrolmentStatus.Invited;
        var due = resendCutoff is not { } cutoff || state.InvitedAt is not { } at || at < cutoff;
        if (audience == InvitationAudience.NotInvited && invited && (resendCutoff is null || !due)) return SkipReasons.AlreadyInvited;
        if (audience == InvitationAudience.NotEnrolled && !invited) return SkipReasons.NeverInvited;
        if (audience == InvitationAudience.NotEnrolled && !due) return SkipReasons.AlreadyInvited;
        if (channel == InvitationChannel.Email && string.IsNullOrWhiteSpace(user.Email)) return SkipReasons.NoEmail;
        if (channel == InvitationChannel.Device && usableChannels == 0) return SkipReasons.NoEnrolledDevice;
        return null;
    }
}
