using System.Text.Json;
using ManagedDistribution.Features.AppsAndBooks;
using ManagedDistribution.Features.AppsAndBooks.Models;

namespace ManagedDistribution.Tests.Features.AppsAndBooks;

public class UsersAndNotificationsTests
{
    [Fact]
    public async Task CreatedUserGetsAnInviteCodeThroughGetUsers()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var test = await AppsAndBooksTestHost.StartAsync();
        var (_, token) = test.NewLocation();

        var eventId = Assert.Single(await test.Client.CreateUsersAsync(token,
            [new RequestUser("u-1", "one@example.org"), new RequestUser("u-2", ManagedAppleId: "two@managed.example.org")], ct));
        Assert.Equal(EventStatus.Complete, (await test.Client.WaitForEventAsync(token, eventId, ct)).EventStatusValue);
        var users = (await test.Client.GetUsersAsync(token, new UserFilter { ActiveOnly = true }, ct)).Items;

        var invited = Assert.Single(users, u => u.ClientUserId == "u-1");
        Assert.Equal(AppsAndBooksUser.Registered, invited.Status);
        Assert.False(string.IsNullOrEmpty(invited.InviteCode));
        var managed = Assert.Single(users, u => u.ClientUserId == "u-2");
        Assert.Equal(AppsAndBooksUser.Associated, managed.Status);
        Assert.NotNull(managed.IdHash);
        var url = (await test.Client.GetServiceConfigAsync(ct)).InvitationUrlFor(invited.InviteCode!)!;
        Assert.Contains("inviteCode=" + invited.InviteCode + "&", url.AbsoluteUri);
    }

    [Fact]
    public async Task DuplicateActiveUserFailsAsynchronouslyWith9716()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var test = await AppsAndBooksTestHost.StartAsync();
        var (_, token) = test.NewLocation();
        await test.Client.WaitForEventAsync(token, (await test.Client.CreateUsersAsync(token, [new RequestUser("dup")], ct))[0], ct);

        var status = await test.Client.WaitForEventAsync(token, (await test.Client.CreateUsersAsync(token, [new RequestUser("dup")], ct))[0], ct);

        Assert.Equal(EventStatus.Failed, status.EventStatusValue);
        Assert.Equal(("dup", 9716), (status.FailedIdentifiers()[0].ClientUserId, status.FailedIdentifiers()[0].ErrorNumber));
    }

    [Fact]
    public async Task NotificationsArriveWithOurBearerToken()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var test = await AppsAndBooksTestHost.StartAsync();
        await using var listener = await NotificationListener.StartAsync();
        var (location, token) = test.NewLocation();
        location.AddAsset("300", 5);
        const string secret = "notif-secret-123";

        var config = await test.Client.UpdateClientConfigAsync(
            token, test.Client.OurMdmInfo, listener.Url, secret, AppsAndBooksNotification.AllTypes, ct);
        var testNotification = await listener.NextAsync(AppsAndBooksNotification.TestNotification, ct);
        Assert.Equal("Bearer " + secret, testNotification.Authorization);
        Assert.Equal(listener.Url.AbsoluteUri, config.NotificationUrl);
        Assert.Equal(test.Options.MdmId, config.MdmInfo?.Id);
        Assert.False(config.MdmInfoConflict);

        var created = await test.Client.CreateUsersAsync(token, [new RequestUser("n-1", "n1@example.org")], ct);
        var userManagement = await listener.NextAsync(AppsAndBooksNotification.UserManagement, ct);
        var createdBody = userManagement.Notification.Notification.Deserialize(AppsAndBooksJson.Default.UserManagementNotification)!;
        Assert.Equal((created[0], "CREATE", "SUCCESS"), (createdBody.EventId, createdBody.Type, createdBody.Result));
        Assert.False(string.IsNullOrEmpty(Assert.Single(createdBody.Users).InviteCode));

        location.AcceptInvitation("n-1");
        var associated = (await listener.NextAsync(AppsAndBooksNotification.UserAssociated, ct)).Notification.Notification
            .Deserialize(AppsAndBooksJson.Default.UserAssociatedNotification)!;
        Assert.Equal((AppsAndBooksUser.Associated, "n-1"), (associated.AssociatedUsers[0].Status, associated.AssociatedUsers[0].ClientUserId));
        Assert.NotNull(associated.AssociatedUsers[0].IdHash);

        var eventId = (await test.Client.AssociateAsync(token, [new AssetKey("300")], ["n-1"], ["SER-9"], ct))[0];
        var management = await listener.NextAsync(AppsAndBooksNotification.AssetManagement, ct);
        var body = management.Notification.Notification.Deserialize(AppsAndBooksJson.Default.AssetManagementNotification)!;
        Assert.Equal("Bearer " + secret, management.Authorization);
        Assert.Equal((eventId, "ASSOCIATE", "SUCCESS", 2), (body.EventId, body.Type, body.Result, body.Assignments.Count));
        Assert.Equal(location.UId, management.Notification.UId);

        location.AdjustAssetCount("300", -2);
        var count = (await listener.NextAsync(AppsAndBooksNotification.AssetCount, ct)).Notification.Notification
            .Deserialize(AppsAndBooksJson.Default.AssetCountNotification)!;
        Assert.Equal(new AssetCountNotification("300", "STDQ", -2), count);
    }

    [Fact]
    public async Task UnreachableNotificationUrlRejectsTheConfigWith9728()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var test = await AppsAndBooksTestHost.StartAsync();
        await using var listener = await NotificationListener.StartAsync();
        listener.ResponseStatus = 503;
        var (location, token) = test.NewLocation();

        var error = await Assert.ThrowsAsync<AppsAndBooksException>(() =>
            test.Client.UpdateClientConfigAsync(token, test.Client.OurMdmInfo, listener.Url, "secret", null, ct));

        Assert.Equal(9728, error.ErrorNumber);
        Assert.Null(location.NotificationUrl);
    }

    [Fact]
    public async Task UrlWithoutAuthTokenIs9710()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var test = await AppsAndBooksTestHost.StartAsync();
        var (_, token) = test.NewLocation();

        var error = await Assert.ThrowsAsync<AppsAndBooksException>(() =>
            test.Client.UpdateClientConfigAsync(token, null, new Uri("https://example.org/n"), null, null, ct));

        Assert.Equal(9710, error.ErrorNumber);
    }
}

public class UserLifecycleTests
{
    [Fact]
    public async Task RetiringReleasesAppLicensesButBooksStayConsumed()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var test = await AppsAndBooksTestHost.StartAsync();
        var (location, token) = test.NewLocation();
        location.AddAsset("APP", 5);
        location.AddAsset("BOOK", 5, productType: "Book");
        await test.Client.WaitForEventAsync(token, (await test.Client.CreateUsersAsync(token, [new RequestUser("r-1")], ct))[0], ct);
        await test.Client.WaitForEventAsync(token,
            (await test.Client.AssociateAsync(token, [new AssetKey("APP"), new AssetKey("BOOK")], ["r-1"], null, ct))[0], ct);

        var updated = await test.Client.WaitForEventAsync(token,
            (await test.Client.UpdateUsersAsync(token, [new RequestUser("r-1", "new@example.org")], ct))[0], ct);
        var retired = await test.Client.WaitForEventAsync(token, (await test.Client.RetireUsersAsync(token, ["r-1"], ct))[0], ct);

        Assert.Equal((EventStatus.Complete, "UPDATE"), (updated.EventStatusValue, updated.EventType));
        Assert.Equal(EventStatus.Complete, retired.EventStatusValue);
        var remaining = (await test.Client.GetAssignmentsAsync(token, cancellationToken: ct)).Items;
        Assert.Equal("BOOK", Assert.Single(remaining).AdamId);
        var user = Assert.Single((await test.Client.GetUsersAsync(token, new UserFilter { ClientUserId = "r-1" }, ct)).Items);
        Assert.Equal((AppsAndBooksUser.Retired, "new@example.org"), (user.Status, user.Email));
        Assert.Empty((await test.Client.GetUsersAsync(token, new UserFilter { ActiveOnly = true }, ct)).Items);
    }
}
