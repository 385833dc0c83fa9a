using System.Net;
using System.Net.Http.Json;
using ManagedDistribution.Features.Assignments.DeviceGroups;
using ManagedDistribution.Features.Assignments.Members;
using ManagedDistribution.Features.LocationTokens;
using ManagedDistribution.Platform.Workflows;
using Microsoft.Extensions.DependencyInjection;
using ManagedDistribution.Tests.Features.LocationTokens;

namespace ManagedDistribution.Tests.Features.Assignments.DeviceGroups;

/// <summary>Device groups and their assignments over HTTP, for the group assignment tests.</summary>
internal static class DeviceGroupTestKit
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public static async Task<string> InstallAsync(VppTestHost host, AppleEmulator.AppsAndBooks.EmulatedLocation location, string adamId, int total)
    {
        location.AddAsset(adamId, total);
        await host.ReadAsync<LocationTokenDto>(await host.InstallAsync(location.SToken), HttpStatusCode.Created);
        return $"vpp-{location.UId}-{adamId}-STDQ";
    }

    /// <summary>The group's workflow of <paramref name="kind"/>, once it has completed.</summary>
    public static async Task<WorkflowInfo> CompletedWorkflowAsync(VppTestHost host, string kind, string groupId)
    {
        var engine = host.App.Services.GetRequiredService<WorkflowEngine>();
        WorkflowInfo? workflow = null;
        await VppTestHost.EventuallyAsync(async () =>
        {
            workflow = (await engine.ListAsync(WorkflowFilter.All, null, 100, Cancel)).Workflows
                .FirstOrDefault(w => w.Kind == kind && w.IdempotencyKey!.Contains(groupId, StringComparison.Ordinal));
            return workflow?.State == WorkflowStates.Completed;
        }, $"{kind} workflow completed");
        return workflow!;
    }

    public static async Task<string> CreateGroupAsync(VppTestHost host)
    {
        var id = "g-" + Guid.NewGuid().ToString("N")[..12];
        var response = await host.Client.PostAsJsonAsync("/api/device-groups", new { id, name = "Group " + id }, Cancel);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return id;
    }

    /// <summary>Adds members one call each, so their join order is the order given.</summary>
    public static async Task JoinAsync(VppTestHost host, string groupId, params string[] deviceIds)
    {
        foreach (var id in deviceIds)
        {
            var response = await host.Client.PostAsJsonAsync($"/api/device-groups/{groupId}/members", new { ids = new[] { id } }, Cancel);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Cancel));
            await Task.Delay(2, Cancel); // distinct join times
        }
    }

    public static async Task LeaveAsync(VppTestHost host, string groupId, params string[] deviceIds)
    {
        var response = await host.Client.PostAsJsonAsync($"/api/device-groups/{groupId}/members/remove", new { ids = deviceIds }, Cancel);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Cancel));
    }

    public static Task<HttpResponseMessage> AssignGroupAsync(VppTestHost host, string groupId, string contentId, string? installMode = null) =>
        host.Client.PostAsJsonAsync($"/api/device-groups/{groupId}/assignments", new { contentId, installMode }, Cancel);

    public static async Task<DeviceGroupAssignmentPreview> PreviewGroupAsync(VppTestHost host, string groupId, string contentId) =>
        await host.ReadAsync<DeviceGroupAssignmentPreview>(
            await host.Client.PostAsJsonAsync($"/api/device-groups/{groupId}/assignments/preview", new { contentId }, Cancel));

    public static async Task<DeviceGroupAssignmentDto> GetAsync(VppTestHost host, string groupId, string contentId) =>
        Assert.Single((await host.ReadAsync<DeviceGroupAssignmentList>(await host.Client.GetAsync($"/api/device-groups/{groupId}/assignments", Cancel))).Items,
            a => a.ContentId == contentId);

    /// <summary>Every member (all pages), by device id.</summary>
    public static async Task<Dictionary<string, AssignmentMemberDto>> MembersAsync(VppTestHost host, string groupId, string contentId)
    {
        var all = new Dictionary<string, AssignmentMemberDto>();
        string? token = null;
        do
        {
            var url = $"/api/device-groups/{groupId}/assignments/{contentId}/members?pageSize=50"
                + (token is null ? "" : "&continuationToken=" + Uri.EscapeDataString(token));
            var page = await host.ReadAsync<AssignmentMemberPage>(await host.Client.GetAsync(url, Cancel));
            foreach (var m in page.Items) all[m.MemberId] = m;
            token = page.ContinuationToken;
        }
        while (token is not null);
        return all;
    }
}
