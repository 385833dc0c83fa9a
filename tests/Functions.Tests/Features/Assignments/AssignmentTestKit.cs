using System.Net;
using System.Net.Http.Json;
using ManagedDistribution.Features.Assignments;
using ManagedDistribution.Features.Catalog;
using ManagedDistribution.Features.Devices.Admin;
using ManagedDistribution.Features.Devices.Registry;
using ManagedDistribution.Tests.Features.LocationTokens;
using ManagedDistribution.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace ManagedDistribution.Tests.Features.Assignments;

/// <summary>Devices written straight to the registry, and the HTTP calls of the assignment tests.</summary>
internal static class AssignmentTestKit
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public static Task<VppTestHost> StartAsync(AzuriteFixture azurite) =>
        VppTestHost.StartAsync(azurite, settings: new() { ["AppleAppsAndBooks:InitialEventPollDelay"] = "00:00:00.020" });

    public static async Task<string> EnrolAsync(VppTestHost host, string platform = "iOS", string osVersion = "17.4",
        string state = EnrollmentStates.Enrolled)
    {
        var id = Guid.NewGuid().ToString("D").ToUpperInvariant();
        var store = host.App.Services.GetRequiredService<DeviceStore>();
        var outcome = await store.UpdateAsync(id, _ => new DeviceRecord
        {
            Id = id, SerialNumber = "SN" + id[..10].Replace("-", "", StringComparison.Ordinal), Platform = platform, OSVersion = osVersion,
            EnrollmentState = state, CreatedAt = DateTimeOffset.UtcNow,
        }, Cancel);
        Assert.True(outcome.Succeeded);
        return id;
    }

    public static Task<HttpResponseMessage> AssignAsync(VppTestHost host, string deviceId, string contentId, string? installMode = null) =>
        host.Client.PostAsJsonAsync($"/api/devices/{deviceId}/assignments", new { contentId, installMode }, Cancel);

    public static async Task<AssignmentPreview> PreviewAsync(VppTestHost host, string deviceId, string contentId) =>
        await host.ReadAsync<AssignmentPreview>(await host.Client.PostAsJsonAsync($"/api/devices/{deviceId}/assignments/preview", new { contentId }, Cancel));

    public static async Task<LicenseCountsDto> CountsAsync(VppTestHost host, string contentId) =>
        (await host.ReadAsync<ContentDto>(await host.Client.GetAsync($"/api/content/{contentId}", Cancel))).Licenses!;

    public static async Task<IReadOnlyList<CommandDto>> CommandsAsync(VppTestHost host, string deviceId) =>
        (await host.ReadAsync<DeviceCommands>(await host.Client.GetAsync($"/api/devices/{deviceId}/commands", Cancel))).Items;

    public static async Task<string> AddInternalAsync(VppTestHost host, object body) =>
        (await host.ReadAsync<ContentDto>(await host.Client.PostAsJsonAsync("/api/content", body, Cancel), HttpStatusCode.Created)).Id;
}
