using ManagedDistribution.Features.Invitations;
using ManagedDistribution.Features.Invitations.Campaigns;
using ManagedDistribution.Platform.Workflows;

namespace ManagedDistribution.Tests.Features.Invitations;

/// <summary>What a campaign's workflow key tells without reading its items.</summary>
public class CampaignKeyTests
{
    static WorkflowInfo Workflow(string key, string kind = CampaignKey.Kind) =>
        new("w", kind, WorkflowStates.Running, null, key, CampaignKey.QueueName, 1, 1, false, DateTimeOffset.UnixEpoch, null, null, null, null);

    [Fact]
    public void OnlyCampaignsByEmailAreEmail()
    {
        Assert.True(CampaignKey.IsEmail(Workflow(CampaignKey.For("g", InvitationAudience.NotInvited, InvitationChannel.Email, null, "d"))));
        Assert.False(CampaignKey.IsEmail(Workflow(CampaignKey.For("g", InvitationAudience.NotInvited, InvitationChannel.Device, null, "d"))));
        Assert.False(CampaignKey.IsEmail(Workflow(CampaignKey.ForSingle("u", "uuid"))));
        // Only the key's channel part counts, not the same text elsewhere in it.
        Assert.False(CampaignKey.IsEmail(Workflow(CampaignKey.For("channel:Email", InvitationAudience.NotInvited, InvitationChannel.Device, null, "d"))));
        Assert.False(CampaignKey.IsEmail(Workflow(CampaignKey.For("g", InvitationAudience.NotInvited, InvitationChannel.Email, null, "d"), kind: "push")));
    }
}
