using System.Net;
using System.Net.Http.Json;
using ManagedDistribution.AppleEmulator.AppsAndBooks;
using ManagedDistribution.Features.Assignments;
using ManagedDistribution.Features.Assignments.Members;
using ManagedDistribution.Features.Directory;
using ManagedDistribution.Features.Invitations;
using ManagedDistribution.Tests.Features.LocationTokens;
using Microsoft.Extensions.DependencyInjection;

namespace ManagedDistribution.Tests.Features.Assignments;

/// <summary>Users, user groups, managed-distribution enrolment and the HTTP calls of the user assignment tests.</summary>
internal static class UserAssignmentTestKit
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>A directory user with managed distribution enabled (registered at Apple, not yet associated).</summary>
    public static async Task<string> AddUserAsync(VppTestHost host, string? id = null, bool enable = true)
    {
        id ??= "u" + Guid.NewGuid().ToString("N")[..10];
        var created = await host.Client.PostAsJsonAsync("/api/users", new { id, shortName = id, fullName = "User " + id }, Cancel);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        if (enable)
        {
            var enabled = await host.Client.PutAsJsonAsync($"/api/users/{id}/managed-distribution", new { enabled = true }, Cancel);
            Assert.True(enabled.IsSuccessStatusCode, await enabled.Content.ReadAsStringAsync(Cancel));
        }
        return id;
    }

    /// <summary>
    /// The user accepts the invitation at Apple; our state becomes enrolled at <paramref name="at"/>
    /// and the enrolment listeners are told, as the Invitations feature does on USER_ASSOCIATED.
    /// </summary>
    public static async Task EnrolUserAsync(VppTestHost host, EmulatedLocation location, string userId, DateTimeOffset at)
    {
        Assert.True(location.AcceptInvitation(userId));
        var store = host.App.Services.GetRequiredService<ManagedDistributionStore>();
        var state = await store.GetAsync(userId, Cancel);
        // Announced here, as EnrolmentUpdates would: a later report of the user must not announce it again.
        await store.SaveAsync(state with { Status = EnrolmentStatus.Enrolled, EnrolledAt = at, AnnouncedStatus = EnrolmentStatus.Enrolled }, Cancel);
        foreach (var listener in host.App.Services.GetServices<IUserEnrollmentListener>()) await listener.UserEnrolledAsync(userId, at, Cancel);
    }

    public static async Task RetireUserAsync(VppTestHost host, string userId)
    {
        foreach (var listener in host.App.Services.GetServices<IUserEnrollmentListener>()) await listener.UserRetiredAsync(userId, Cancel);
    }

    /// <summary>An enrolled device of the user.</summary>
    public static async Task<string> DeviceOfAsync(VppTestHost host, string userId, string platform = "iOS", string osVersion = "17.4")
    {
        var deviceId = await AssignmentTestKit.EnrolAsync(host, platform, osVersion);
        var response = await host.Client.PutAsJsonAsync($"/api/devices/{deviceId}/user", new { userId }, Cancel);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Cancel));
        return deviceId;
    }

    public static async Task<string> AddGroupAsync(VppTestHost host, params string[] members)
    {
        var id = "g" + Guid.NewGuid().ToString("N")[..10];
        Assert.Equal(HttpStatusCode.Created, (await host.Client.PostAsJsonAsync("/api/user-groups", new { id, name = "Group " + id }, Cancel)).StatusCode);
        if (members.Length > 0) await AddMembersAsync(host, id, members);
        return id;
    }

    public static async Task AddMembersAsync(VppTestHost host, string groupId, params string[] ids)
    {
        var response = await host.Client.PostAsJsonAsync($"/api/user-groups/{groupId}/members", new { ids }, Cancel);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Cancel));
    }

    public static async Task RemoveMembersAsync(VppTestHost host, string groupId, params string[] ids)
    {
        var response = await host.Client.PostAsJsonAsync($"/api/user-groups/{groupId}/members/remove", new { ids }, Cancel);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Cancel));
    }

    public static Task<HttpResponseMessage> AssignUserAsync(VppTestHost host, string userId, string contentId, string? installMode = null) =>
        host.Client.PostAsJsonAsync($"/api/users/{userId}/assignments", new { contentId, installMode }, Cancel);

    public static Task<HttpResponseMessage> AssignGroupAsync(VppTestHost host, string groupId, string contentId, string? installMode = null) =>
        host.Client.PostAsJsonAsync($"/api/user-groups/{groupId}/assignments", new { contentId, installMode }, Cancel);

    public static async Task<AssignmentDto> UserAssignmentAsync(VppTestHost host, string userId, string contentId) =>
        Assert.Single((await host.ReadAsync<AssignmentList>(await host.Client.GetAsync($"/api/users/{userId}/assignments", Cancel))).Items,
            a => a.ContentId == contentId);

    public static async Task<AssignmentDto> GroupAssignmentAsync(VppTestHost host, string groupId, string contentId) =>
        Assert.Single((await host.ReadAsync<AssignmentList>(await host.Client.GetAsync($"/api/user-groups/{groupId}/assignments", Cancel))).Items,
            a => a.ContentId == contentId);

    public static async Task<Dictionary<string, AssignmentMemberDto>> MembersAsync(VppTestHost host, string groupId, string contentId, string? state = null)
    {
        var query = state is null ? "" : "?state=" + state;
        var page = await host.ReadAsync<AssignmentMemberPage>(await host.Client.GetAsync($"/api/user-groups/{groupId}/assignments/{contentId}/members{query}", Cancel));
        return page.Items.ToDictionary(m => m.MemberId);
    }

    public static async Task<AssignmentPreview> PreviewAsync(VppTestHost host, string kindRoute, string id, string contentId) =>
        await host.ReadAsync<AssignmentPreview>(await host.Client.PostAsJsonAsync($"/api/{kindRoute}/{id}/assignments/preview", new { contentId }, Cancel));

    public static bool AtApple(EmulatedLocation location, string adamId, string userId) =>
        location.AssignmentsSnapshot().Any(a => a.AdamId == adamId && a.ClientUserId == userId);

    /// <summary>
    /// The one installed location (managed distribution needs exactly one) with these purchased
    /// items; returns it and the content id maker.
    /// </summary>
    public static async Task<EmulatedLocation> LocationAsync(VppTestHost host, params (string AdamId, int Total, string Type)[] assets)
    {
        var location = host.NewLocation();
        foreach (var (adamId, total, type) in assets) location.AddAsset(adamId, total, type);
        Assert.Equal(HttpStatusCode.Created, (await host.InstallAsync(location.SToken)).StatusCode);
        return location;
    }

    public static string ContentId(EmulatedLocation location, string adamId) => $"vpp-{location.UId}-{adamId}-STDQ";
}
