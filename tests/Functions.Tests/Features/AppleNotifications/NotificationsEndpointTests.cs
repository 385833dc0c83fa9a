using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using ManagedDistribution.AppleEmulator.AppsAndBooks;
using ManagedDistribution.Features.AppleNotifications;
using ManagedDistribution.Features.Catalog;
using ManagedDistribution.Features.LocationTokens;
using ManagedDistribution.Tests.Features.LocationTokens;
using ManagedDistribution.Tests.Infrastructure;
using ManagedDistribution.Tests.Platform.Http;

namespace ManagedDistribution.Tests.Features.AppleNotifications;

/// <summary>Notification registration at install, Apple's bearer token, dedupe, ASSET_COUNT.</summary>
public sealed class NotificationsEndpointTests(AzuriteFixture azurite)
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task InstallRegistersNotificationsAndAppleTestNotificationIsAccepted()
    {
        await using var host = await VppTestHost.StartAsync(azurite, notifications: true);
        var location = host.NewLocation();

        var token = await host.ReadAsync<LocationTokenDto>(await host.InstallAsync(location.SToken), HttpStatusCode.Created);

        Assert.True(token.Notifications.Registered, token.Notifications.Error);
        Assert.Equal(new Uri(host.AppUrl, "api/apple/notifications").AbsoluteUri, location.NotificationUrl);
        Assert.Equal(NotificationTypes.All.Order(), location.SubscribedNotificationTypes.Order());
        Assert.False(string.IsNullOrEmpty(location.NotificationAuthToken));
        var test = Assert.Single(host.Emulator.Notifier.Attempts, a => a.Type == NotificationTypes.Test);
        Assert.Equal(200, test.Status);
        Assert.Equal("md-test", location.MdmInfo?.Id);
    }

    [Fact]
    public async Task WrongBearerIsRefusedAndDuplicatesAreIgnored()
    {
        await using var host = await VppTestHost.StartAsync(azurite, notifications: true);
        var location = host.NewLocation();
        location.AddAsset("2002", 10);
        await host.ReadAsync<LocationTokenDto>(await host.InstallAsync(location.SToken), HttpStatusCode.Created);
        // Apple's count moves too (without its own notification): a catalogue sync that lands after ours
        // (the one the install started) takes Apple's total, and must agree (this failed once in a full run).
        location.Asset("2002")!.TotalCount = 14;
        var notification = new
        {
            notification = new { adamId = "2002", pricingParam = "STDQ", countDelta = 4 },
            notificationId = Guid.NewGuid().ToString(),
            notificationType = "ASSET_COUNT",
            uId = location.UId,
        };

        using var anonymous = new HttpClient { BaseAddress = host.AppUrl };
        await ProblemAssert.IsProblemAsync(await anonymous.PostAsJsonAsync("/api/apple/notifications", notification, Cancel), HttpStatusCode.Unauthorized, "unauthorized");
        anonymous.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "not-the-token");
        await ProblemAssert.IsProblemAsync(await anonymous.PostAsJsonAsync("/api/apple/notifications", notification, Cancel), HttpStatusCode.Unauthorized, "unauthorized");

        anonymous.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", location.NotificationAuthToken);
        var first = await host.ReadAsync<NotificationAck>(await anonymous.PostAsJsonAsync("/api/apple/notifications", notification, Cancel));
        var again = await host.ReadAsync<NotificationAck>(await anonymous.PostAsJsonAsync("/api/apple/notifications", notification, Cancel));

        Assert.Equal((false, NotificationInbox.Applied), (first.Duplicate, first.State));
        Assert.True(again.Duplicate);
        var item = await host.ReadAsync<ContentDto>(await host.Client.GetAsync($"/api/content/vpp-{location.UId}-2002-STDQ", Cancel));
        Assert.Equal(14, item.Licenses!.Total);
        await ProblemAssert.IsProblemAsync(await anonymous.PostAsync("/api/apple/notifications", new StringContent("{nope", null, "application/json"), Cancel),
            HttpStatusCode.BadRequest, "malformed-json");
    }

    [Fact]
    public async Task AssetCountFromApplechangesTheTotal()
    {
        await using var host = await VppTestHost.StartAsync(azurite, notifications: true);
        var location = host.NewLocation();
        location.AddAsset("3003", 10);
        await host.ReadAsync<LocationTokenDto>(await host.InstallAsync(location.SToken), HttpStatusCode.Created);
        var url = $"/api/content/vpp-{location.UId}-3003-STDQ";

        location.AdjustAssetCount("3003", 5);
        await VppTestHost.EventuallyAsync(async () => (await host.ReadAsync<ContentDto>(await host.Client.GetAsync(url, Cancel))).Licenses!.Total == 15, "a total of 15");
        location.AdjustAssetCount("3003", -3);
        await VppTestHost.EventuallyAsync(async () => (await host.ReadAsync<ContentDto>(await host.Client.GetAsync(url, Cancel))).Licenses!.Total == 12, "a total of 12");

        // A purchase of an item never seen: the location is synced and the item appears.
        location.AddAsset("4004", 0);
        location.AdjustAssetCount("4004", 7);
        await VppTestHost.EventuallyAsync(async () =>
        {
            var response = await host.Client.GetAsync($"/api/content/vpp-{location.UId}-4004-STDQ", Cancel);
            return response.IsSuccessStatusCode && (await host.ReadAsync<ContentDto>(response)).Licenses!.Total == 7;
        }, "the new item with 7 licenses");
    }
}
