using System.Net;
using ManagedDistribution.Features.LocationTokens;
using ManagedDistribution.Tests.Infrastructure;
using ManagedDistribution.Tests.Platform.Http;
using static ManagedDistribution.Tests.Features.Assignments.AssignmentTestKit;

namespace ManagedDistribution.Tests.Features.Assignments;

/// <summary>An mdmInfo that is not ours on any Apple response marks the token and stops writes to its location.</summary>
public sealed class AnotherMdmTests(AzuriteFixture azurite)
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AClaimSeenOnAReadStopsAssignments()
    {
        await using var host = await StartAsync(azurite);
        var location = host.NewLocation();
        location.AddAsset("8101", 5);
        await host.ReadAsync<LocationTokenDto>(await host.InstallAsync(location.SToken), HttpStatusCode.Created);
        var app = $"vpp-{location.UId}-8101-STDQ";
        var iphone = await EnrolAsync(host);

        location.ClaimByOtherMdm("someone-else", "Other MDM");
        await host.Client.PostAsync("/api/content/sync", null, Cancel); // any read: Get Assets names the other MDM

        await ProblemAssert.IsProblemAsync(await AssignAsync(host, iphone, app), HttpStatusCode.Conflict, "token-missing");
        Assert.Equal(0, (await CountsAsync(host, app)).Assigned);
        var tokens = await host.ReadAsync<LocationTokenDto[]>(await host.Client.GetAsync("/api/vpp/tokens", Cancel));
        Assert.Equal(TokenHealth.UsedByAnotherMdm, Assert.Single(tokens).Health);
    }
}
