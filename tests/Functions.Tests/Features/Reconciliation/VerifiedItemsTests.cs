using ManagedDistribution.Features.Licenses;
using ManagedDistribution.Features.Reconciliation;
using ManagedDistribution.Platform.Storage;
using ManagedDistribution.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static ManagedDistribution.Tests.Features.Reconciliation.ReconciliationTestKit;

namespace ManagedDistribution.Tests.Features.Reconciliation;

/// <summary>Full comparisons skip reading target rows that are unchanged since found equal to Apple's.</summary>
public sealed class VerifiedItemsTests(AzuriteFixture azurite)
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ItemsFoundEqualAreNotReadAgainUntilOurRowsOrApplesSetChange()
    {
        await using var host = await StartAsync(azurite, settings: new() { ["Reconciliation:TargetsSettleTime"] = "00:00:00" });
        var location = await InstallAsync(host, ("8101", 10, "App"), ("8102", 10, "App"));
        await SeedOursAsync(host, location, "8101", Serials("SN1", "SN2"));
        await SeedOursAsync(host, location, "8102", Serials("SN3"));
        var first = await RunAsync(host, full: true);
        Assert.Equal((0, 0, 2), (first.Totals.Orphans, first.Totals.Lost, first.ItemsComparedInFull));

        // A row removed around the ledger (no stamp) is not seen: proof that the rows were not read.
        var sn1 = LicenseTarget.Device("SN1");
        var targets = host.App.Services.GetRequiredService<TableServiceClient>()
            .GetTableClient(LicenseTargetLayout.TableName(ContentId(location, "8101"), sn1));
        Assert.True(await targets.DeleteEntityAsync(LicenseTargetLayout.PartitionKey(ContentId(location, "8101"), sn1), LicenseTargetLayout.RowKey(sn1), ETag.All, Cancel));
        var unchanged = await RunAsync(host, full: true);
        Assert.Equal((0, 0, 2), (unchanged.Totals.Orphans, unchanged.Totals.Lost, unchanged.ItemsComparedInFull));
        Assert.All(unchanged.Items, i => Assert.Equal(0, i.Difference));

        // A change through the ledger stamps the item: its rows are read again.
        var ledger = host.App.Services.GetRequiredService<LicenseLedger>();
        await ledger.SetTargetStatesAsync(ContentId(location, "8102"), Serials("SN3"), LicenseState.Released, "test", "k", Cancel);
        var ours = await RunAsync(host, full: true);
        Assert.Equal(new TargetDrift(ContentId(location, "8102"), "8102", TargetKinds.Device, "SN3"), Assert.Single(ours.Orphans.First));

        // A change at Apple: the digest differs, the rows are read (and the row deleted above shows).
        location.DropAssignment("8101", serialNumber: "SN2");
        var apples = await RunAsync(host, full: true);
        Assert.Equal((2, 1), (apples.Totals.Orphans, apples.Totals.Lost));
        Assert.Contains(apples.Orphans.First, o => o.TargetId == "SN1");
        Assert.Equal("SN2", Assert.Single(apples.Lost.First).TargetId);
    }
}
