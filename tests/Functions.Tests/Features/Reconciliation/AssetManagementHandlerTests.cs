using System.Text.Json;
using ManagedDistribution.Features.AppleNotifications;
using ManagedDistribution.Features.AppsAndBooks;
using ManagedDistribution.Features.AppsAndBooks.Models;
using ManagedDistribution.Features.Licenses;
using ManagedDistribution.Features.LocationTokens;
using ManagedDistribution.Tests.Features.LocationTokens;
using ManagedDistribution.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static ManagedDistribution.Tests.Features.Reconciliation.ReconciliationTestKit;

namespace ManagedDistribution.Tests.Features.Reconciliation;

/// <summary>ASSET_MANAGEMENT delivered by the emulator to the app's notification endpoint, applied to the ledger once.</summary>
public sealed class AssetManagementHandlerTests(AzuriteFixture azurite)
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SucceededTargetsAreCommittedFailedOnesReleasedAndReplaysChangeNothing()
    {
        await using var host = await StartAsync(azurite, notifications: true);
        var location = await InstallAsync(host, ("8101", 5, "App"));
        var contentId = ContentId(location, "8101");
        var ledger = host.App.Services.GetRequiredService<LicenseLedger>();
        var key = "group:g1:" + contentId + ":1";
        await ledger.ReserveAsync(new ReservationRequest(contentId, 3, "devicegroup:g1:" + contentId, key, ReservationMode.UpTo,
            Serials("G1", "G2", "G3")), Cancel);
        location.Asset("8101")!.TotalCount = 2; // refunds behind our back: Apple grants two and refuses one (9709)

        var token = (await host.App.Services.GetRequiredService<LocationTokenStore>().GetTokenAsync(location.UId, Cancel))!.Value;
        var apple = host.App.Services.GetRequiredService<AppsAndBooksClient>();
        var eventId = Assert.Single(await apple.AssociateAsync(token, [new AssetKey("8101")], null, ["G1", "G2", "G3"], Cancel));

        // The handler moves the counts, then writes the rows: wait for both (this read the rows between the two once, in CI).
        await VppTestHost.EventuallyAsync(async () =>
        {
            if ((await ledger.GetAsync(contentId, Cancel))!.Counts.Reserved != 0) return false;
            foreach (var serial in new[] { "G1", "G2", "G3" })
                if ((await TargetAsync(host, contentId, LicenseTarget.Device(serial)))!.State == LicenseState.Reserved) return false;
            return true;
        }, "the event's notifications");
        var counts = (await ledger.GetAsync(contentId, Cancel))!.Counts;
        Assert.Equal((2, 0), (counts.Assigned, counts.Reserved));
        var states = new[] { "G1", "G2", "G3" }.Select(s => TargetAsync(host, contentId, LicenseTarget.Device(s)).Result!.State).ToList();
        Assert.Equal(2, states.Count(s => s == LicenseState.Committed));
        Assert.Equal(1, states.Count(s => s == LicenseState.Released));
        var record = (await ledger.GetReservationAsync(contentId, key, Cancel))!;
        Assert.Equal((2, 1), (record.Committed, record.Released));
        Assert.Contains(eventId, record.Steps);
        Assert.Contains(eventId + ":failed", record.Steps);

        // The same outcome again (a crash before the inbox marked it applied), and the assignment flow's own commit: no-ops.
        var handler = host.App.Services.GetServices<IAppleNotificationHandler>().Single(h => h.NotificationType == AppsAndBooksNotification.AssetManagement);
        var replay = Notification(eventId, "SUCCESS", "G1", "G2");
        Assert.Equal(NotificationInbox.Applied, await handler.ApplyAsync(location.UId, replay, Cancel));
        Assert.Equal(SettleOutcome.Replayed, (await ledger.CommitAsync(contentId, key, 2, eventId, Cancel)).Outcome);
        Assert.Equal(counts, (await ledger.GetAsync(contentId, Cancel))!.Counts);

        // An event nobody of ours waits on: applied, nothing moves.
        Assert.Equal(NotificationInbox.Applied, await handler.ApplyAsync(location.UId, Notification(Guid.NewGuid().ToString(), "SUCCESS", "ELSEWHERE"), Cancel));
        Assert.Equal(counts, (await ledger.GetAsync(contentId, Cancel))!.Counts);
    }

    [Fact]
    public async Task ADeviceGroupReservationIsLeftToItsWorkflowSoABatchIsNeverCountedTwice()
    {
        await using var host = await StartAsync(azurite, notifications: true);
        var location = await InstallAsync(host, ("8101", 5, "App"));
        var contentId = ContentId(location, "8101");
        var ledger = host.App.Services.GetRequiredService<LicenseLedger>();
        var owner = "device-group:g2:" + contentId;
        var key = owner + ":1";
        await ledger.ReserveAsync(new ReservationRequest(contentId, 2, owner, key, ReservationMode.UpTo, Serials("D1", "D2"), SettledByOwner: true), Cancel);

        // Apple's outcome arrives before the workflow's batch commit.
        var handler = host.App.Services.GetServices<IAppleNotificationHandler>().Single(h => h.NotificationType == AppsAndBooksNotification.AssetManagement);
        Assert.Equal(NotificationInbox.Applied, await handler.ApplyAsync(location.UId, Notification("event-1", "SUCCESS", "D1", "D2"), Cancel));
        Assert.Equal((0, 2), Counts(await ledger.GetAsync(contentId, Cancel)));
        Assert.Equal(LicenseState.Reserved, (await TargetAsync(host, contentId, LicenseTarget.Device("D1")))!.State);

        await ledger.CommitAsync(contentId, key, 2, "batch-1", Cancel);
        Assert.Equal((2, 0), Counts(await ledger.GetAsync(contentId, Cancel)));
    }

    static (int Assigned, int Reserved) Counts(LedgerEntry? entry) => (entry!.Counts.Assigned, entry.Counts.Reserved);

    static AppsAndBooksNotification Notification(string eventId, string result, params string[] serials) => new()
    {
        NotificationId = Guid.NewGuid().ToString(),
        NotificationType = AppsAndBooksNotification.AssetManagement,
        Notification = JsonSerializer.SerializeToElement(new
        {
            assignments = serials.Select(s => new { adamId = "8101", pricingParam = "STDQ", serialNumber = s }),
            eventId, result, type = "ASSOCIATE",
        }),
    };
}
