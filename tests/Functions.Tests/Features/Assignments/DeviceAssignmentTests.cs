using System.Net;
using ManagedDistribution.Features.Assignments;
using ManagedDistribution.Features.Devices;
using ManagedDistribution.Features.Devices.Commands;
using ManagedDistribution.Features.LocationTokens;
using ManagedDistribution.Tests.Infrastructure;
using ManagedDistribution.Tests.Platform.Http;
using Microsoft.Extensions.DependencyInjection;
using static ManagedDistribution.Tests.Features.Assignments.AssignmentTestKit;

namespace ManagedDistribution.Tests.Features.Assignments;

/// <summary>Purchased apps on devices, end to end against Azurite and the Apps and Books emulator.</summary>
public sealed class DeviceAssignmentTests(AzuriteFixture azurite)
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PurchasedAppTakesOneLicenseQueuesTheInstallAndRevokeReturnsIt()
    {
        await using var host = await StartAsync(azurite);
        var location = host.NewLocation();
        location.AddAsset("7001", 2);
        await host.ReadAsync<LocationTokenDto>(await host.InstallAsync(location.SToken), HttpStatusCode.Created);
        var contentId = $"vpp-{location.UId}-7001-STDQ";
        var (first, second, third) = (await EnrolAsync(host), await EnrolAsync(host, "macOS", "14.5"), await EnrolAsync(host, "iPadOS", "17.0"));

        var preview = await PreviewAsync(host, first, contentId);
        Assert.Equal((true, 1, 2, null), (preview.Allowed, preview.LicensesNeeded, preview.LicensesAvailable, preview.Refusal));
        Assert.Equal(0, (await CountsAsync(host, contentId)).Assigned);

        var assigned = await host.ReadAsync<AssignmentDto>(await AssignAsync(host, first, contentId), HttpStatusCode.Created);
        Assert.Equal((AssignmentStates.Licensed, true, "automatic"), (assigned.State, assigned.LicenseConsumed, assigned.InstallMode));
        Assert.Equal((2, 1, 1), ((await CountsAsync(host, contentId)).Total, (await CountsAsync(host, contentId)).Assigned, (await CountsAsync(host, contentId)).Available));
        Assert.Equal(1, location.Asset("7001")!.AssignedCount);
        var command = Assert.Single(await CommandsAsync(host, first));
        Assert.Equal(("InstallApplication", assigned.CommandUuid), (command.RequestType, command.CommandUuid));
        var record = await host.App.Services.GetRequiredService<CommandStore>().FindAsync(new ChannelId(first), command.CommandUuid, Cancel);
        Assert.Matches(@"<key>iTunesStoreID</key>\s*<integer>7001</integer>", record!.Payload);
        Assert.Matches(@"<key>PurchaseMethod</key>\s*<integer>1</integer>", record.Payload);

        // Same device again: the existing assignment, no second license.
        Assert.Equal(assigned.Id, (await host.ReadAsync<AssignmentDto>(await AssignAsync(host, first, contentId))).Id);
        await host.ReadAsync<AssignmentDto>(await AssignAsync(host, second, contentId), HttpStatusCode.Created);
        var before = await CountsAsync(host, contentId);
        Assert.Equal((2, 0), (before.Assigned, before.Available));

        // The last license is gone: refused, nothing written, counts unchanged.
        Assert.Equal("license-exhausted", (await PreviewAsync(host, third, contentId)).Refusal);
        await ProblemAssert.IsProblemAsync(await AssignAsync(host, third, contentId), HttpStatusCode.Conflict, "license-exhausted");
        Assert.Equal(before, await CountsAsync(host, contentId));
        Assert.Empty((await host.ReadAsync<AssignmentList>(await host.Client.GetAsync($"/api/devices/{third}/assignments", Cancel))).Items);
        Assert.Equal(0, (await host.JsonAsync(await host.Client.GetAsync($"/api/content/{contentId}/licenses", Cancel))).GetProperty("waitingTotal").GetInt32());

        // Revoke returns the license (Apple and ledger); twice → 404.
        Assert.Equal(HttpStatusCode.NoContent, (await host.Client.DeleteAsync($"/api/devices/{first}/assignments/{contentId}", Cancel)).StatusCode);
        Assert.Equal((1, 1), ((await CountsAsync(host, contentId)).Assigned, (await CountsAsync(host, contentId)).Available));
        Assert.Equal(1, location.Asset("7001")!.AssignedCount);
        await ProblemAssert.IsProblemAsync(await host.Client.DeleteAsync($"/api/devices/{first}/assignments/{contentId}", Cancel), HttpStatusCode.NotFound, "not-found");
        Assert.Empty((await host.ReadAsync<AssignmentList>(await host.Client.GetAsync($"/api/devices/{first}/assignments", Cancel))).Items);
        await host.ReadAsync<AssignmentDto>(await AssignAsync(host, third, contentId), HttpStatusCode.Created);
    }

    [Fact]
    public async Task AppleRefusalReleasesTheLicenseAndKeepsTheAssignmentAsFailed()
    {
        await using var host = await StartAsync(azurite);
        var location = host.NewLocation();
        location.AddAsset("7002", 1);
        await host.ReadAsync<LocationTokenDto>(await host.InstallAsync(location.SToken), HttpStatusCode.Created);
        var contentId = $"vpp-{location.UId}-7002-STDQ";
        var device = await EnrolAsync(host);
        location.Asset("7002")!.TotalCount = 0; // sold back behind our back: Apple refuses the association

        var problem = await ProblemAssert.IsProblemAsync(await AssignAsync(host, device, contentId), (HttpStatusCode)424, "apple-refused");
        Assert.Contains("Apple error", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var counts = await CountsAsync(host, contentId);
        Assert.Equal((0, 0, 1), (counts.Assigned, counts.Reserved, counts.Available));
        var failed = Assert.Single((await host.ReadAsync<AssignmentList>(await host.Client.GetAsync($"/api/devices/{device}/assignments", Cancel))).Items);
        Assert.Equal((AssignmentStates.Failed, false, null), (failed.State, failed.LicenseConsumed, failed.CommandUuid));
        Assert.Empty(await CommandsAsync(host, device));
        Assert.Equal(HttpStatusCode.NoContent, (await host.Client.DeleteAsync($"/api/devices/{device}/assignments/{contentId}", Cancel)).StatusCode);
    }
}
