using System.Globalization;
using ManagedDistribution.AppleEmulator.AppsAndBooks;
using ManagedDistribution.Features.AppsAndBooks;
using ManagedDistribution.Features.AppsAndBooks.Models;

namespace ManagedDistribution.Tests.Features.AppsAndBooks;

public class ErrorAndRetryTests
{
    [Fact]
    public async Task TooManyRequestsIsRetriedAfterRetryAfterSeconds()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var test = await AppsAndBooksTestHost.StartAsync();
        var (_, token) = test.NewLocation();
        test.Emulator.Faults.Inject(new InjectedFault(429, 9646, Count: 2, RetryAfter: "7", PathContains: "client/config"));

        var config = await test.Client.GetClientConfigAsync(token, ct);

        Assert.Equal("Test School", config.LocationName);
        Assert.Equal(3, test.Emulator.Requests.To("client/config").Count);
        Assert.Equal([TimeSpan.FromSeconds(7), TimeSpan.FromSeconds(7)], test.Time.RequestedDelays);
    }

    [Fact]
    public async Task RetryAfterAsAnHttpDateIsHonoured()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var test = await AppsAndBooksTestHost.StartAsync();
        var (_, token) = test.NewLocation();
        var at = test.Time.GetUtcNow().AddSeconds(30).ToString("R", CultureInfo.InvariantCulture);
        test.Emulator.Faults.Inject(new InjectedFault(503, 9603, RetryAfter: at, PathContains: "client/config"));

        await test.Client.GetClientConfigAsync(token, ct);

        var delay = Assert.Single(test.Time.RequestedDelays);
        Assert.InRange(delay, TimeSpan.FromSeconds(29), TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task WithoutRetryAfterBackoffIsExponentialAndBounded()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var test = await AppsAndBooksTestHost.StartAsync(o => o.MaxRetries = 2);
        var (location, token) = test.NewLocation();
        location.AddAsset("1", 1);
        test.Emulator.Faults.Inject(new InjectedFault(500, null, Count: 5, PathContains: "assets/associate"));

        var error = await Assert.ThrowsAsync<AppsAndBooksException>(() =>
            test.Client.AssociateAsync(token, [new AssetKey("1")], null, ["S"], ct));

        Assert.Equal(500, error.Status);
        Assert.True(error.IsTransient);
        Assert.Equal(3, test.Emulator.Requests.To("assets/associate").Count);
        Assert.Equal([TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(100)], test.Time.RequestedDelays);
    }

    [Fact]
    public async Task RetryAfterBeyondTheCapSurfacesAtOnceForAQueueToReschedule()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var test = await AppsAndBooksTestHost.StartAsync();
        var (_, token) = test.NewLocation();
        test.Emulator.Faults.Inject(new InjectedFault(429, 9646, RetryAfter: "3600"));

        var error = await Assert.ThrowsAsync<AppsAndBooksException>(() => test.Client.GetClientConfigAsync(token, ct));

        Assert.Equal((429, 9646), (error.Status, error.ErrorNumber));
        Assert.Equal(TimeSpan.FromHours(1), error.RetryAfter);
        Assert.Single(test.Emulator.Requests.To("client/config"));
    }

    [Fact]
    public async Task ErrorBodyOnHttp200IsAnError()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var test = await AppsAndBooksTestHost.StartAsync();
        var (_, token) = test.NewLocation();
        test.Emulator.Faults.Inject(new InjectedFault(200, 9601, PathContains: "assets"));

        var error = await Assert.ThrowsAsync<AppsAndBooksException>(() => test.Client.GetAssetsAsync(token, cancellationToken: ct));

        Assert.Equal((200, 9601), (error.Status, error.ErrorNumber));
        Assert.Equal(LocationTokenProblem.LoginRequired, error.TokenProblem);
        Assert.Contains("Login required", error.Message);
    }

    [Fact]
    public async Task BooksCannotGoToDevicesNorBeDisassociated()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var test = await AppsAndBooksTestHost.StartAsync();
        var (location, token) = test.NewLocation();
        location.AddAsset("BOOK1", 10, productType: "Book");

        var toDevice = await Assert.ThrowsAsync<AppsAndBooksException>(() =>
            test.Client.AssociateAsync(token, [new AssetKey("BOOK1")], null, ["SER1"], ct));
        var revoke = await Assert.ThrowsAsync<AppsAndBooksException>(() =>
            test.Client.DisassociateAsync(token, [new AssetKey("BOOK1")], ["u1"], null, ct));

        Assert.Equal((400, 9707), (toDevice.Status, toDevice.ErrorNumber));
        Assert.Equal("BOOK1", Assert.Single(toDevice.ErrorInfo!.Assets!).AdamId);
        Assert.Equal((400, 9706), (revoke.Status, revoke.ErrorNumber));
    }

    [Fact]
    public async Task FailureInALaterChunkReportsTheAcceptedEvents()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var test = await AppsAndBooksTestHost.StartAsync();
        test.Emulator.Settings.Limits["maxAssets"] = 1;
        var (location, token) = test.NewLocation();
        location.AddAsset("APP", 10);
        location.AddAsset("BOOK", 10, productType: "Book");

        var error = await Assert.ThrowsAsync<AppsAndBooksException>(() =>
            test.Client.AssociateAsync(token, [new AssetKey("APP"), new AssetKey("BOOK")], null, ["S1"], ct));

        Assert.Equal(9707, error.ErrorNumber);
        Assert.Single(error.AcceptedEventIds);
    }

    [Theory]
    [InlineData("expired", 9621, LocationTokenProblem.Expired)]
    [InlineData("revoked", 9625, LocationTokenProblem.Revoked)]
    [InlineData("unknown", 9601, LocationTokenProblem.LoginRequired)]
    public async Task TokenProblemsAreTyped(string state, int errorNumber, LocationTokenProblem problem)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var test = await AppsAndBooksTestHost.StartAsync();
        var (location, token) = test.NewLocation();
        if (state == "expired") location.ExpiresOn = DateTimeOffset.UtcNow.AddMinutes(-1);
        if (state == "revoked") location.IsRevoked = true;
        if (state == "unknown") token = test.NewLocationTokenUnknownToTheEmulator();

        var error = await Assert.ThrowsAsync<AppsAndBooksException>(() => test.Client.GetClientConfigAsync(token, ct));

        Assert.Equal((401, errorNumber, problem), (error.Status, error.ErrorNumber, error.TokenProblem));
        Assert.False(error.IsTransient);
    }
}
