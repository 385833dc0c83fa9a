using System.Net;
using ManagedDistribution.Features.Assignments;
using ManagedDistribution.Features.Devices.Registry;
using ManagedDistribution.Features.LocationTokens;
using ManagedDistribution.Tests.Infrastructure;
using ManagedDistribution.Tests.Platform.Http;
using static ManagedDistribution.Tests.Features.Assignments.AssignmentTestKit;

namespace ManagedDistribution.Tests.Features.Assignments;

/// <summary>Each device rule answers its stable problem code, in preview and assignment alike; internal content delivery.</summary>
public sealed class DeviceAssignmentRulesTests(AzuriteFixture azurite)
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EachRuleHasItsProblemCode()
    {
        await using var host = await StartAsync(azurite);
        var location = host.NewLocation();
        location.AddAsset("8001", 5);
        location.AddAsset("8002", 5, productType: "Book");
        await host.ReadAsync<LocationTokenDto>(await host.InstallAsync(location.SToken), HttpStatusCode.Created);
        var (app, book) = ($"vpp-{location.UId}-8001-STDQ", $"vpp-{location.UId}-8002-STDQ");
        var internalBook = await AddInternalAsync(host, new { type = "book", name = "Handbook", mediaUrl = "https://files.example.org/h.pdf" });
        var iphone = await EnrolAsync(host);

        async Task Refused(string device, string content, string code)
        {
            Assert.Equal(code, (await PreviewAsync(host, device, content)).Refusal);
            await ProblemAssert.IsProblemAsync(await AssignAsync(host, device, content), HttpStatusCode.Conflict, code);
        }
        await Refused(await EnrolAsync(host, state: EnrollmentStates.Authenticated), app, "not-enrolled");
        await Refused(iphone, book, "not-eligible");
        await Refused(await EnrolAsync(host, "macOS", "10.10.5"), app, "not-eligible");
        await Refused(await EnrolAsync(host, "iOS", "8.4"), app, "not-eligible");
        await Refused(await EnrolAsync(host, "macOS", "14.0"), internalBook, "not-eligible");
        await Refused(await EnrolAsync(host, "tvOS", "17.0"), app, "not-eligible");
        await ProblemAssert.IsProblemAsync(await AssignAsync(host, iphone, "app-missing"), HttpStatusCode.NotFound, "not-found");
        await ProblemAssert.IsProblemAsync(await AssignAsync(host, "NO-SUCH-DEVICE", app), HttpStatusCode.NotFound, "not-found");
        await ProblemAssert.IsProblemAsync(await AssignAsync(host, iphone, app, "sometimes"), HttpStatusCode.BadRequest, "validation");

        Assert.Equal(HttpStatusCode.NoContent, (await host.Client.DeleteAsync($"/api/vpp/tokens/{location.UId}", Cancel)).StatusCode);
        await Refused(iphone, app, "token-missing");
        Assert.Equal(0, (await CountsAsync(host, app)).Assigned);
        Assert.Empty((await host.ReadAsync<AssignmentList>(await host.Client.GetAsync($"/api/devices/{iphone}/assignments", Cancel))).Items);
    }

    [Fact]
    public async Task InternalContentIsDeliveredAndRemoved()
    {
        await using var host = await StartAsync(azurite);
        var app = await AddInternalAsync(host, new
        {
            type = "app", name = "Field Notes", bundleId = "com.example.fieldnotes", manifestUrl = "https://apps.example.org/m.plist", platforms = new[] { "iOS", "macOS" },
        });
        var book = await AddInternalAsync(host, new { type = "book", name = "Handbook", mediaUrl = "https://files.example.org/h.epub" });
        var mac = await EnrolAsync(host, "macOS", "10.9");
        var ipad = await EnrolAsync(host, "iPadOS", "16.0");

        var assigned = await host.ReadAsync<AssignmentDto>(await AssignAsync(host, mac, app, "manual"), HttpStatusCode.Created);
        Assert.Equal((AssignmentStates.Pending, "automatic", false), (assigned.State, assigned.InstallMode, assigned.LicenseConsumed)); // R6
        Assert.Equal("InstallApplication", Assert.Single(await CommandsAsync(host, mac)).RequestType);
        await host.ReadAsync<AssignmentDto>(await AssignAsync(host, ipad, book), HttpStatusCode.Created);
        Assert.Equal("InstallMedia", Assert.Single(await CommandsAsync(host, ipad)).RequestType);

        Assert.Equal(HttpStatusCode.NoContent, (await host.Client.DeleteAsync($"/api/devices/{mac}/assignments/{app}", Cancel)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await host.Client.DeleteAsync($"/api/devices/{ipad}/assignments/{book}", Cancel)).StatusCode);
        Assert.Contains(await CommandsAsync(host, mac), c => c.RequestType == "RemoveApplication");
        Assert.Contains(await CommandsAsync(host, ipad), c => c.RequestType == "RemoveMedia");
        await ProblemAssert.IsProblemAsync(await host.Client.DeleteAsync($"/api/devices/{ipad}/assignments/{book}", Cancel), HttpStatusCode.NotFound, "not-found");
    }
}
