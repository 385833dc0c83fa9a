using ManagedDistribution.Features.AppsAndBooks;
using ManagedDistribution.Features.AppsAndBooks.Models;

namespace ManagedDistribution.Tests.Features.AppsAndBooks;

public class MdmInfoConflictTests
{
    [Fact]
    public async Task ResponsesNamingAnotherMdmAreFlagged()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var test = await AppsAndBooksTestHost.StartAsync();
        var (location, token) = test.NewLocation();
        location.AddAsset("1", 5);

        var unclaimed = await test.Client.GetClientConfigAsync(token, ct);
        var ours = await test.Client.UpdateClientConfigAsync(token, test.Client.OurMdmInfo, null, null, null, ct);
        location.ClaimByOtherMdm("someone-else", "Other MDM");
        var config = await test.Client.GetClientConfigAsync(token, ct);
        var assets = await test.Client.GetAssetsAsync(token, cancellationToken: ct);

        Assert.Null(unclaimed.MdmInfo);
        Assert.False(unclaimed.MdmInfoConflict);
        Assert.False(ours.MdmInfoConflict);
        Assert.True(config.MdmInfoConflict);
        Assert.Equal("someone-else", config.MdmInfo!.Id);
        Assert.True(assets.MdmInfoConflict);
    }

    [Fact]
    public async Task ChunkedWritesStopAtTheFirstConflictingAnswer()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var test = await AppsAndBooksTestHost.StartAsync();
        test.Emulator.Settings.Limits["maxSerialNumbers"] = 1;
        var (location, token) = test.NewLocation();
        location.AddAsset("1", 5);
        location.ClaimByOtherMdm("someone-else");

        var error = await Assert.ThrowsAsync<AppsAndBooksException>(() =>
            test.Client.AssociateAsync(token, [new AssetKey("1")], null, ["S1", "S2", "S3"], ct));

        Assert.True(error.IsMdmInfoConflict);
        Assert.Equal("someone-else", error.OtherMdmInfo!.Id);
        Assert.Single(error.AcceptedEventIds);
        Assert.Single(test.Emulator.Requests.To("assets/associate"));
    }
}
