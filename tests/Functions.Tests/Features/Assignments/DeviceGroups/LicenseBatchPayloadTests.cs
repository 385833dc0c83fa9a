using ManagedDistribution.Features.Assignments.DeviceGroups;

namespace ManagedDistribution.Tests.Features.Assignments.DeviceGroups;

/// <summary>The licensing workflow's item payload: members, and the membership version the departed check compares.</summary>
public sealed class LicenseBatchPayloadTests
{
    [Fact]
    public void MembersAndTheMembershipVersionRoundTrip()
    {
        BatchMember[] members = [new("DEV-1", "SN1"), new("DEV-2", null)];
        const string version = "W/\"datetime'2026-11-22T03%3A50%3A35.1234567Z'\"";

        var data = LicenseBatch.Encode(members, version);

        Assert.Equal(members, LicenseBatch.Decode(data));
        Assert.Equal(version, LicenseBatch.MembershipVersionOf(data));
        Assert.Null(LicenseBatch.MembershipVersionOf(LicenseBatch.Encode(members)));
        Assert.Equal(members, LicenseBatch.Decode(LicenseBatch.Encode(members)));
        Assert.Null(LicenseBatch.MembershipVersionOf(null));
    }
}
