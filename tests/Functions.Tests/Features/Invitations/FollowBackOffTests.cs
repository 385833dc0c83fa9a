using ManagedDistribution.Features.Invitations;

namespace ManagedDistribution.Tests.Features.Invitations;

/// <summary>A campaign follows its sent invitations less and less often, up to a maximum wait.</summary>
public sealed class FollowBackOffTests
{
    [Fact]
    public void EachLookWaitsTwiceAsLongAsTheLastUpToTheMaximum()
    {
        var options = new InvitationsOptions { FollowInterval = TimeSpan.FromSeconds(30), FollowIntervalMax = TimeSpan.FromMinutes(15) };

        var delays = Enumerable.Range(0, 8).Select(options.FollowDelayAfter).Select(d => (int)d.TotalSeconds);

        Assert.Equal([30, 60, 120, 240, 480, 900, 900, 900], delays);
        Assert.Equal(TimeSpan.FromMinutes(15), options.FollowDelayAfter(int.MaxValue));
    }

    [Fact]
    public void AMaximumBelowTheIntervalIsRefused()
    {
        Assert.True(new InvitationsOptions().IsValid());
        Assert.False(new InvitationsOptions { FollowInterval = TimeSpan.FromMinutes(1), FollowIntervalMax = TimeSpan.FromSeconds(30) }.IsValid());
    }
}
