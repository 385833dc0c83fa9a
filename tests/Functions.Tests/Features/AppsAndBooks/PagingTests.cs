using ManagedDistribution.Features.AppsAndBooks;
using ManagedDistribution.Features.AppsAndBooks.Models;

namespace ManagedDistribution.Tests.Features.AppsAndBooks;

public class PagingTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task ReadsEveryPageInOrder(int parallelism)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var test = await AppsAndBooksTestHost.StartAsync(o => o.MaxParallelPageRequests = parallelism);
        test.Emulator.Settings.PageSize = 2;
        var (location, token) = test.NewLocation();
        for (var i = 0; i < 9; i++) location.AddAsset($"{500 + i}", 10);
        for (var i = 0; i < 7; i++) location.AddOrphanAssignment("500", serialNumber: $"S{i}");

        var assets = await test.Client.GetAssetsAsync(token, cancellationToken: ct);
        var assignments = await test.Client.GetAssignmentsAsync(token, cancellationToken: ct);

        Assert.Equal(5, assets.Pages);
        Assert.Equal(Enumerable.Range(500, 9).Select(i => $"{i}"), assets.Items.Select(a => a.AdamId));
        Assert.Equal(4, assignments.Pages);
        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"S{i}"), assignments.Items.Select(a => a.SerialNumber));
        Assert.False(assignments.VersionChanged);
        Assert.Equal(location.UId, assets.UId);
        var queries = test.Emulator.Requests.To("assets").Select(r => r.Query).ToList();
        Assert.Equal("", queries[0]); // page 0 is asked without pageIndex
        Assert.Equal(["?pageIndex=1", "?pageIndex=2", "?pageIndex=3", "?pageIndex=4"], queries.Skip(1).Order());
    }

    [Fact]
    public async Task FiltersGoIntoTheQuery()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var test = await AppsAndBooksTestHost.StartAsync();
        var (location, token) = test.NewLocation();
        location.AddAsset("1", 5);
        location.AddAsset("2", 5, productType: "Book");
        location.AddAsset("3", 0);

        var books = await test.Client.GetAssetsAsync(token, new AssetFilter { ProductType = Asset.Book }, ct);
        var available = await test.Client.GetAssetsAsync(token, new AssetFilter { MinAvailableCount = 1, ProductType = Asset.App }, ct);

        var book = Assert.Single(books.Items);
        Assert.False(book.DeviceAssignable);
        Assert.False(book.Revocable);
        Assert.Equal("1", Assert.Single(available.Items).AdamId);
    }

    [Fact]
    public async Task SinceVersionIdReturnsOnlyTheChanges()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var test = await AppsAndBooksTestHost.StartAsync();
        test.Emulator.Settings.PageSize = 2;
        var (location, token) = test.NewLocation();
        location.AddAsset("700", 100);
        for (var i = 0; i < 5; i++) location.AddOrphanAssignment("700", serialNumber: $"OLD{i}");
        var users = await test.Client.CreateUsersAsync(token, [new RequestUser("a"), new RequestUser("b")], ct);
        await test.Client.WaitForEventAsync(token, users[0], ct);

        var full = await test.Client.GetAssignmentsAsync(token, cancellationToken: ct);
        var fullUsers = await test.Client.GetUsersAsync(token, cancellationToken: ct);
        location.AddOrphanAssignment("700", serialNumber: "NEW1");
        location.AddOrphanAssignment("700", clientUserId: "a");
        location.AcceptInvitation("b");

        var delta = await test.Client.GetAssignmentsAsync(token, new AssignmentFilter { SinceVersionId = full.VersionId }, ct);
        var userDelta = await test.Client.GetUsersAsync(token, new UserFilter { SinceVersionId = fullUsers.VersionId }, ct);
        var nothing = await test.Client.GetAssignmentsAsync(token, new AssignmentFilter { SinceVersionId = delta.VersionId }, ct);

        Assert.Equal(5, full.Items.Count);
        Assert.Equal(["NEW1", null], delta.Items.Select(a => a.SerialNumber));
        Assert.Equal("a", delta.Items[1].ClientUserId);
        Assert.NotEqual(full.VersionId, delta.VersionId);
        Assert.Equal("b", Assert.Single(userDelta.Items).ClientUserId);
        Assert.Empty(nothing.Items);
    }

    [Fact]
    public async Task UnknownVersionIdIs9721()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var test = await AppsAndBooksTestHost.StartAsync();
        var (_, token) = test.NewLocation();

        var error = await Assert.ThrowsAsync<AppsAndBooksException>(() =>
            test.Client.GetAssignmentsAsync(token, new AssignmentFilter { SinceVersionId = "bogus" }, ct));

        Assert.Equal(9721, error.ErrorNumber);
        Assert.Equal(400, error.Status);
    }
}
