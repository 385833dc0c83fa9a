using System.Net;
using System.Net.Http.Json;
using ManagedDistribution.Features.Catalog;
using ManagedDistribution.Features.Directory;
using ManagedDistribution.Features.LocationTokens;
using ManagedDistribution.Tests.Features.LocationTokens;
using ManagedDistribution.Tests.Infrastructure;
using ManagedDistribution.Tests.Platform.Http;

namespace ManagedDistribution.Tests.Features.Catalog;

/// <summary>Internal content, and purchased content synced from the emulator with its counts.</summary>
public sealed class CatalogEndpointsTests(AzuriteFixture azurite)
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task InternalAppsAndBooksAreValidated()
    {
        await using var host = await VppTestHost.StartAsync(azurite);
        var app = await host.ReadAsync<ContentDto>(await host.Client.PostAsJsonAsync("/api/content", new
        {
            type = "app", name = "Field Notes", bundleId = "com.example.fieldnotes", manifestUrl = "https://apps.example.org/fieldnotes/manifest.plist", platforms = new[] { "ios", "macOS" },
        }, Cancel), HttpStatusCode.Created);
        var book = await host.ReadAsync<ContentDto>(await host.Client.PostAsJsonAsync("/api/content", new
        {
            type = "book", name = "Staff Handbook", mediaUrl = "https://files.example.org/handbook.epub",
        }, Cancel), HttpStatusCode.Created);

        Assert.Equal(("app", "internal"), (app.Type, app.Source));
        Assert.Equal(["iOS", "macOS"], app.Platforms);
        Assert.Null(app.Licenses);
        Assert.Equal("epub", book.Kind);
        Assert.Equal(["iOS"], book.Platforms);
        Assert.StartsWith("com.manageddistribution.book.", book.PersistentId);
        Assert.Equal(book.Name, (await host.ReadAsync<ContentDto>(await host.Client.GetAsync($"/api/content/{book.Id}", Cancel))).Name);

        async Task Invalid(object body, params string[] fields)
        {
            var problem = await ProblemAssert.IsProblemAsync(await host.Client.PostAsJsonAsync("/api/content", body, Cancel), HttpStatusCode.BadRequest, "validation");
            foreach (var field in fields) Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{field} in {problem}");
        }
        await Invalid(new { type = "game", name = "x" }, "type");
        await Invalid(new { type = "app", name = "", bundleId = "nodots", manifestUrl = "http://insecure.example.org/m.plist", platforms = new[] { "tvOS" } },
            "name", "bundleId", "manifestUrl", "platforms");
        await Invalid(new { type = "book", name = "Mac book", mediaUrl = "https://x.example.org/b.pdf", platforms = new[] { "macOS" } }, "platforms");
        await Invalid(new { type = "book", name = "No kind", mediaUrl = "https://x.example.org/b.docx" }, "kind");
        await Invalid(new { type = "book", name = "No url", kind = "pdf" }, "mediaUrl");
        await ProblemAssert.IsProblemAsync(await host.Client.GetAsync("/api/content/app-missing", Cancel), HttpStatusCode.NotFound, "not-found");
        await ProblemAssert.IsProblemAsync(await host.Client.GetAsync("/api/content?type=movie", Cancel), HttpStatusCode.BadRequest, "validation");
    }

    [Fact]
    public async Task PurchasedItemsComeFromAppleWithTheirCounts()
    {
        await using var host = await VppTestHost.StartAsync(azurite);
        var location = host.NewLocation();
        location.AddAsset("5001", 30);
        location.AddAsset("5002", 12, productType: "Book");
        location.AddOrphanAssignment("5001", serialNumber: "SOMEONE-ELSES");
        await host.ReadAsync<LocationTokenDto>(await host.InstallAsync(location.SToken), HttpStatusCode.Created);
        await host.Client.PostAsJsonAsync("/api/content", new { type = "book", name = "Internal", mediaUrl = "https://x.example.org/i.pdf" }, Cancel);

        var vpp = await host.ReadAsync<Page<ContentDto>>(await host.Client.GetAsync("/api/content?source=vpp", Cancel));
        var app = vpp.Items.Single(i => i.AdamId == "5001");
        Assert.Equal(("app", "App", "STDQ", true, true, location.UId), (app.Type, app.ProductType, app.PricingParam, app.DeviceAssignable, app.Revocable, app.LocationId));
        Assert.Equal(new LicenseCountsDto(30, 0, 29, 0, 1), app.Licenses);
        var book = vpp.Items.Single(i => i.AdamId == "5002");
        Assert.Equal(("book", false, false, 12), (book.Type, book.DeviceAssignable, book.Revocable, book.Licenses!.Available));
        Assert.Equal(["5002"], (await host.ReadAsync<Page<ContentDto>>(await host.Client.GetAsync("/api/content?source=vpp&type=book", Cancel))).Items.Select(i => i.AdamId));
        Assert.Equal(3, (await host.ReadAsync<Page<ContentDto>>(await host.Client.GetAsync("/api/content", Cancel))).Items.Count);

        // Bought more in Apple Business Manager, without a notification: the sync picks it up.
        location.Asset("5001")!.TotalCount = 40;
        location.AddAsset("5003", 3);
        var sync = await host.ReadAsync<CatalogSyncDto>(await host.Client.PostAsync("/api/content/sync", null, Cancel));
        Assert.Equal(3, Assert.Single(sync.Locations).Items);
        var synced = await host.ReadAsync<ContentDto>(await host.Client.GetAsync($"/api/content/vpp-{location.UId}-5001-STDQ", Cancel));
        Assert.Equal(39, synced.Licenses!.Available);
        Assert.Equal(app.CreatedAt, synced.CreatedAt);
        var ledger = await host.ReadAsync<LicenseLedgerDto>(await host.Client.GetAsync($"/api/content/vpp-{location.UId}-5001-STDQ/licenses", Cancel));
        Assert.Equal((40, 1, 0), (ledger.Licenses.Total, ledger.AppleAssigned, ledger.WaitingTotal));
        await ProblemAssert.IsProblemAsync(await host.Client.GetAsync("/api/content/book-0000000000000000/licenses", Cancel), HttpStatusCode.NotFound, "not-found");
        var paged = await host.ReadAsync<Page<ContentDto>>(await host.Client.GetAsync("/api/content?pageSize=2", Cancel));
        Assert.Equal(2, paged.Items.Count);
        Assert.NotNull(paged.ContinuationToken);
    }
}
