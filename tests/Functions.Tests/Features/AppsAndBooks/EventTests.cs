using ManagedDistribution.Features.AppsAndBooks.Models;

namespace ManagedDistribution.Tests.Features.AppsAndBooks;

public class EventTests
{
    [Fact]
    public async Task AssociateCompletesAndConsumesLicenses()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var test = await AppsAndBooksTestHost.StartAsync();
        var (location, token) = test.NewLocation();
        location.AddAsset("900", 10);

        var eventId = Assert.Single(await test.Client.AssociateAsync(token, [new AssetKey("900")], null, ["S1", "S2", "S3"], ct));
        var status = await test.Client.WaitForEventAsync(token, eventId, ct);

        Assert.Equal(EventStatus.Complete, status.EventStatusValue);
        Assert.Equal("ASSOCIATE", status.EventType);
        Assert.Equal(3, status.NumRequested);
        Assert.Equal(3, status.NumCompleted);
        Assert.Empty(status.FailedIdentifiers());
        var asset = Assert.Single((await test.Client.GetAssetsAsync(token, cancellationToken: ct)).Items);
        Assert.Equal((10, 3, 7), (asset.TotalCount, asset.AssignedCount, asset.AvailableCount));
    }

    [Fact]
    public async Task PendingUntilProcessedThenPolledWithBackoff()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var test = await AppsAndBooksTestHost.StartAsync();
        test.Emulator.Settings.ManualEventProcessing = true;
        var (location, token) = test.NewLocation();
        location.AddAsset("901", 10);
        var eventId = Assert.Single(await test.Client.AssociateAsync(token, [new AssetKey("901")], null, ["S1"], ct));

        Assert.Equal(EventStatus.Pending, (await test.Client.GetEventStatusAsync(token, eventId, ct)).EventStatusValue);
        var waiting = test.Client.WaitForEventAsync(token, eventId, ct);
        while (test.Emulator.Requests.To("status").Count < 4) await Task.Delay(5, ct);
        await test.Emulator.ProcessPendingEventsAsync();
        var status = await waiting;

        Assert.Equal(EventStatus.Complete, status.EventStatusValue);
        var delays = test.Time.RequestedDelays;
        Assert.True(delays.Count >= 2);
        Assert.True(delays[1] > delays[0], "poll delays grow");
    }

    [Fact]
    public async Task PartialFailureNamesEachFailedIdentifier()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var test = await AppsAndBooksTestHost.StartAsync();
        var (location, token) = test.NewLocation();
        location.AddAsset("902", 2);
        var created = await test.Client.CreateUsersAsync(token, [new RequestUser("known")], ct);
        await test.Client.WaitForEventAsync(token, created[0], ct);

        var eventId = Assert.Single(await test.Client.AssociateAsync(
            token, [new AssetKey("902")], ["known", "stranger"], ["S1", "S2"], ct));
        var status = await test.Client.WaitForEventAsync(token, eventId, ct);

        Assert.Equal(EventStatus.Failed, status.EventStatusValue);
        Assert.Equal(4, status.NumRequested);
        Assert.Equal(2, status.NumCompleted);
        var failures = status.FailedIdentifiers();
        var unknownUser = Assert.Single(failures, f => f.ErrorNumber == 9609);
        Assert.Equal(("stranger", new AssetKey("902")), (unknownUser.ClientUserId, unknownUser.Asset));
        var noLicense = Assert.Single(failures, f => f.ErrorNumber == 9709);
        Assert.Equal("S2", noLicense.SerialNumber);
    }

    [Fact]
    public async Task UnknownEventIs9708()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var test = await AppsAndBooksTestHost.StartAsync();
        var (_, token) = test.NewLocation();

        var error = await Assert.ThrowsAsync<ManagedDistribution.Features.AppsAndBooks.AppsAndBooksException>(() =>
            test.Client.GetEventStatusAsync(token, Guid.NewGuid().ToString(), ct));

        Assert.Equal(9708, error.ErrorNumber);
    }
}
