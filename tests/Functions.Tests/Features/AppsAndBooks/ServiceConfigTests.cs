using ManagedDistribution.Features.AppsAndBooks.Models;

namespace ManagedDistribution.Tests.Features.AppsAndBooks;

public class ServiceConfigTests
{
    [Fact]
    public async Task CachesServiceConfigForFiveMinutes()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var test = await AppsAndBooksTestHost.StartAsync();

        var first = await test.Client.GetServiceConfigAsync(ct);
        await test.Client.GetServiceConfigAsync(ct);
        test.Time.Advance(TimeSpan.FromMinutes(4));
        await test.Client.GetServiceConfigAsync(ct);
        Assert.Single(test.Emulator.Requests.To("service/config"));

        test.Emulator.Settings.Limits["maxAssets"] = 7;
        test.Time.Advance(TimeSpan.FromMinutes(1));
        var refreshed = await test.Client.GetServiceConfigAsync(ct);

        Assert.Equal(2, test.Emulator.Requests.To("service/config").Count);
        Assert.Equal(25, first.EffectiveLimits.MaxAssets);
        Assert.Equal(7, refreshed.EffectiveLimits.MaxAssets);
        Assert.Contains(AppsAndBooksNotification.AssetManagement, refreshed.NotificationTypes);
    }

    [Fact]
    public async Task MissingLimitFallsBackToTheDocumentedValue()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var test = await AppsAndBooksTestHost.StartAsync();
        test.Emulator.Settings.Limits.TryRemove("maxSerialNumbers", out _);
        test.Emulator.Settings.Limits["maxClientUserIds"] = 3;

        var limits = await test.Client.GetLimitsAsync(ct);

        Assert.Equal(ServiceLimits.Documented.MaxSerialNumbers, limits.MaxSerialNumbers);
        Assert.Equal(3, limits.MaxClientUserIds);
    }

    [Fact]
    public async Task BuildsTheInvitationUrlFromTheTemplate()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var test = await AppsAndBooksTestHost.StartAsync();

        var config = await test.Client.GetServiceConfigAsync(ct);

        Assert.Equal(
            "https://buy.itunes.apple.com/WebObjects/MZFinance.woa/wa/associateVPPUserWithITSAccount?inviteCode=46bc93ea3acd41e0a4919c02db0d7d3a&mt=8",
            config.InvitationUrlFor("46bc93ea3acd41e0a4919c02db0d7d3a")!.AbsoluteUri);
        Assert.StartsWith(test.Options.BaseUrl.AbsoluteUri, config.Urls["associateAssets"]);
    }
}
