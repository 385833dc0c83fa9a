using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ManagedDistribution.Features.Devices;
using ManagedDistribution.Tests.Features.Devices.Support;
using ManagedDistribution.Tests.Infrastructure;
using ManagedDistribution.Tests.Platform.Http;
using static ManagedDistribution.Tests.Features.Devices.Protocol.MdmTestData;
using static ManagedDistribution.Tests.Features.Devices.Support.DevicesTestHost;

namespace ManagedDistribution.Tests.Features.Devices.Admin;

public sealed class DeviceAdminEndpointsTests(AzuriteFixture azurite)
{
    static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Devices_are_listed_and_filtered_by_platform_state_and_user_with_paging()
    {
        await using var host = new DevicesTestHost(azurite);
        await host.EnrolIPadAsync();
        await host.EnrolMacAsync();
        const string thirdUdid = "00008030-001A2B3C4D5E6F70";
        await AssertEmptyOkAsync(await host.CheckinAsync(With(CaptureDictionary("Authenticate.1.plist"), "UDID", thirdUdid)));
        host.Users.Add("alice");
        await PutUserAsync(host, MacUdid, "alice");

        AssertIds(await IdsAsync(host, "/api/devices"), IPadUdid, MacUdid, thirdUdid);
        AssertIds(await IdsAsync(host, "/api/devices?platform=iPadOS"), IPadUdid, thirdUdid);
        AssertIds(await IdsAsync(host, "/api/devices?platform=macos"), MacUdid);
        AssertIds(await IdsAsync(host, "/api/devices?enrollmentState=enrolled"), IPadUdid, MacUdid);
        AssertIds(await IdsAsync(host, "/api/devices?enrollmentState=authenticated&platform=iPadOS"), thirdUdid);
        AssertIds(await IdsAsync(host, "/api/devices?userId=alice"), MacUdid);
        Assert.Empty(await IdsAsync(host, "/api/devices?userId=bob"));

        var seen = new List<string>();
        string? token = null;
        do
        {
            var page = await host.GetJsonAsync("/api/devices?pageSize=2" + (token is null ? "" : "&continuationToken=" + Uri.EscapeDataString(token)));
            Assert.True(page.GetProperty("items").GetArrayLength() <= 2);
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(d => d.GetProperty("id").GetString()!));
            token = page.GetProperty("continuationToken").GetString();
        }
        while (token is not null);
        AssertIds(seen, IPadUdid, MacUdid, thirdUdid);
    }

    [Theory]
    [InlineData("platform=Android", "platform")]
    [InlineData("platform=3", "platform")]
    [InlineData("enrollmentState=gone", "enrollmentState")]
    [InlineData("pageSize=0", "pageSize")]
    [InlineData("pageSize=1001", "pageSize")]
    [InlineData("continuationToken=%25%25%25", "continuationToken")]
    public async Task Bad_list_parameters_are_validation_problems(string query, string field)
    {
        await using var host = new DevicesTestHost(azurite);

        var problem = await ProblemAssert.IsProblemAsync(await host.Admin.GetAsync("/api/devices?" + query, Token), HttpStatusCode.BadRequest, "validation");
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task A_device_can_be_renamed_and_the_name_cleared()
    {
        await using var host = new DevicesTestHost(azurite);
        await host.EnrolMacAsync();

        using var renamed = await host.Admin.PatchAsJsonAsync($"/api/devices/{MacUdid}", new { name = "  Reception iMac " }, Token);
        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        Assert.Equal("Reception iMac", (await host.GetDeviceAsync(MacUdid)).GetProperty("name").GetString());
        Assert.Equal("Fruit", (await host.GetDeviceAsync(MacUdid)).GetProperty("deviceName").GetString());

        using var cleared = await host.Admin.PatchAsJsonAsync($"/api/devices/{MacUdid}", new { name = (string?)null }, Token);
        Assert.Equal(HttpStatusCode.OK, cleared.StatusCode);
        Assert.Equal(JsonValueKind.Null, (await host.GetDeviceAsync(MacUdid)).GetProperty("name").ValueKind);

        await ProblemAssert.IsProblemAsync(await host.Admin.PatchAsJsonAsync("/api/devices/nope", new { name = "x" }, Token), HttpStatusCode.NotFound, "not-found");
        await ProblemAssert.IsProblemAsync(await host.Admin.PatchAsJsonAsync($"/api/devices/{MacUdid}", new { name = new string('n', 201) }, Token),
            HttpStatusCode.BadRequest, "validation");
    }

    [Fact]
    public async Task A_device_is_associated_with_a_user_moved_to_another_and_dissociated()
    {
        await using var host = new DevicesTestHost(azurite);
        await host.EnrolIPadAsync();
        host.Users.Add("alice");
        host.Users.Add("bob");
        var directory = host.Service<IDeviceDirectory>();

        Assert.Equal("alice", (await PutUserAsync(host, IPadUdid, "alice")).GetProperty("userId").GetString());
        AssertIds(await directory.DeviceIdsForUserAsync("alice", Token), IPadUdid);

        await PutUserAsync(host, IPadUdid, "bob");
        Assert.Empty(await directory.DeviceIdsForUserAsync("alice", Token));
        AssertIds(await directory.DeviceIdsForUserAsync("bob", Token), IPadUdid);
        Assert.Equal("bob", (await host.GetDeviceAsync(IPadUdid)).GetProperty("userId").GetString());

        using var deleted = await host.Admin.DeleteAsync($"/api/devices/{IPadUdid}/user", Token);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(JsonValueKind.Null, (await host.GetDeviceAsync(IPadUdid)).GetProperty("userId").ValueKind);
        Assert.Empty(await directory.DeviceIdsForUserAsync("bob", Token));
        Assert.True(await directory.ExistsAsync(IPadUdid, Token));
        Assert.False(await directory.ExistsAsync("unknown-device", Token));
    }

    [Fact]
    public async Task Association_refuses_unknown_users_unknown_devices_and_bad_bodies()
    {
        await using var host = new DevicesTestHost(azurite);
        await host.EnrolIPadAsync();
        host.Users.Add("alice");

        await ProblemAssert.IsProblemAsync(await host.Admin.PutAsJsonAsync($"/api/devices/{IPadUdid}/user", new { userId = "ghost" }, Token),
            HttpStatusCode.BadRequest, "unknown-user");
        await ProblemAssert.IsProblemAsync(await host.Admin.PutAsJsonAsync("/api/devices/nope/user", new { userId = "alice" }, Token),
            HttpStatusCode.NotFound, "not-found");
        await ProblemAssert.IsProblemAsync(await host.Admin.PutAsJsonAsync($"/api/devices/{IPadUdid}/user", new { userId = "a/b" }, Token),
            HttpStatusCode.BadRequest, "validation");
        await ProblemAssert.IsProblemAsync(await host.Admin.PutAsJsonAsync($"/api/devices/{IPadUdid}/user", new { }, Token),
            HttpStatusCode.BadRequest, "validation");
        await ProblemAssert.IsProblemAsync(await host.Admin.DeleteAsync("/api/devices/nope/user", Token), HttpStatusCode.NotFound, "not-found");
        Assert.Equal(JsonValueKind.Null, (await host.GetDeviceAsync(IPadUdid)).GetProperty("userId").ValueKind);
    }

    [Fact]
    public async Task Refresh_needs_an_enrolled_device()
    {
        await using var host = new DevicesTestHost(azurite);
        await AssertEmptyOkAsync(await host.CheckinAsync(Capture("Authenticate.1.plist")));

        await ProblemAssert.IsProblemAsync(await host.Admin.PostAsync($"/api/devices/{IPadUdid}/refresh", null, Token), HttpStatusCode.Conflict, "not-enrolled");
        await ProblemAssert.IsProblemAsync(await host.Admin.PostAsync("/api/devices/nope/refresh", null, Token), HttpStatusCode.NotFound, "not-found");
        Assert.Empty(host.Pushes.Calls);
        Assert.Empty((await host.GetJsonAsync($"/api/devices/{IPadUdid}/commands")).GetProperty("items").EnumerateArray());

        await AssertEmptyOkAsync(await host.CheckinAsync(Capture("TokenUpdate.1.plist")));
        var refresh = await host.RefreshAsync(IPadUdid);
        Assert.Equal(2, refresh.GetProperty("commandUuids").GetArrayLength());
        var commands = (await host.GetJsonAsync($"/api/devices/{IPadUdid}/commands?limit=1")).GetProperty("items");
        Assert.Equal("ManagedMediaList", Assert.Single(commands.EnumerateArray()).GetProperty("requestType").GetString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("/commands")]
    [InlineData("/apps")]
    public async Task Unknown_devices_are_404(string suffix)
    {
        await using var host = new DevicesTestHost(azurite);

        await ProblemAssert.IsProblemAsync(await host.Admin.GetAsync("/api/devices/nope" + suffix, Token), HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task No_device_JSON_carries_push_credentials_or_the_unlock_token()
    {
        await using var host = new DevicesTestHost(azurite);
        await host.EnrolIPadAsync();
        await AssertEmptyOkAsync(await host.CheckinAsync(With(CaptureDictionary("TokenUpdate.1.plist"), "UserID", "user-1")));
        host.Users.Add("alice");
        var update = CaptureDictionary("TokenUpdate.1.plist");

        var texts = new List<string>
        {
            (await host.GetDeviceAsync(IPadUdid)).GetRawText(),
            (await host.GetJsonAsync("/api/devices")).GetRawText(),
            (await PutUserAsync(host, IPadUdid, "alice")).GetRawText(),
            (await (await host.Admin.PatchAsJsonAsync($"/api/devices/{IPadUdid}", new { name = "x" }, Token)).Content.ReadAsStringAsync(Token)),
        };

        var secrets = new[]
        {
            (string)update["PushMagic"],
            Convert.ToBase64String((byte[])update["Token"]),
            Convert.ToHexString((byte[])update["Token"]),
            Convert.ToBase64String((byte[])update["UnlockToken"])[..40],
        };
        foreach (var text in texts)
        {
            foreach (var name in new[] { "\"token\"", "pushToken", "pushMagic", "unlockToken", "identityThumbprint" })
                Assert.DoesNotContain(name, text, StringComparison.OrdinalIgnoreCase);
            foreach (var secret in secrets) Assert.DoesNotContain(secret, text, StringComparison.OrdinalIgnoreCase);
        }
    }

    static async Task<JsonElement> PutUserAsync(DevicesTestHost host, string deviceId, string userId)
    {
        using var response = await host.Admin.PutAsJsonAsync($"/api/devices/{deviceId}/user", new { userId }, Token);
        var text = await response.Content.ReadAsStringAsync(Token);
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    static void AssertIds(IEnumerable<string> actual, params string[] expected) =>
        Assert.Equal(expected.Order(StringComparer.Ordinal), actual.Order(StringComparer.Ordinal));

    static async Task<IReadOnlyList<string>> IdsAsync(DevicesTestHost host, string path) =>
        [.. (await host.GetJsonAsync(path)).GetProperty("items").EnumerateArray().Select(d => d.GetProperty("id").GetString()!).Order()];
}
