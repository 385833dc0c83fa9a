using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ManagedDistribution.Features.Devices;
using ManagedDistribution.Tests.Features.Devices.Support;
using ManagedDistribution.Tests.Infrastructure;
using ManagedDistribution.Tests.Platform.Http;
using static ManagedDistribution.Tests.Features.Devices.Protocol.MdmTestData;
using static ManagedDistribution.Tests.Features.Devices.Support.DevicesTestHost;
using static ManagedDistribution.Tests.Features.Devices.Support.BulkRefreshApi;

namespace ManagedDistribution.Tests.Features.Devices.Admin;

/// <summary>POST /api/devices/refresh and /api/device-groups/{id}/refresh through the real app on Azurite (push workflow recorded).</summary>
public sealed class BulkRefreshEndpointsTests(AzuriteFixture azurite)
{
    const string HalfEnrolledUdid = "00008030-001A2B3C4D5E6F70";
    static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_list_refresh_queues_the_enrolled_devices_under_one_push_and_skips_the_rest_with_reasons()
    {
        await using var host = await EnrolledHostAsync();

        var body = await AcceptedAsync(await PostAsync(host, "/api/devices/refresh", [IPadUdid, MacUdid, HalfEnrolledUdid, "no-such-device", "bad/id", IPadUdid]));

        Assert.Equal("task-1", body.GetProperty("taskId").GetString());
        Assert.Equal(2, body.GetProperty("queued").GetInt32());
        Assert.Equal(3, body.GetProperty("commands").GetInt32()); // iPad: apps + books; Mac: apps
        Assert.Equal([(HalfEnrolledUdid, "not-enrolled"), ("bad/id", "not-found"), ("no-such-device", "not-found")], Skipped(body));
        var push = Assert.Single(host.Pushes.Calls);
        Assert.Equal([new ChannelId(IPadUdid), new ChannelId(MacUdid)], push.Channels.OrderBy(c => c.DeviceId, StringComparer.Ordinal));
        Assert.Equal(["ManagedApplicationList", "ManagedMediaList"], await QueuedAsync(host, IPadUdid));
        Assert.Equal(["ManagedApplicationList"], await QueuedAsync(host, MacUdid));
        Assert.Empty(await QueuedAsync(host, HalfEnrolledUdid));
    }

    [Fact]
    public async Task A_retry_with_the_same_idempotency_key_queues_nothing_new_and_names_the_same_push()
    {
        await using var host = await EnrolledHostAsync();

        var first = await AcceptedAsync(await PostAsync(host, "/api/devices/refresh", [IPadUdid, MacUdid], "refresh-42"));
        var retry = await AcceptedAsync(await PostAsync(host, "/api/devices/refresh", [MacUdid, IPadUdid], "refresh-42"));
        await AcceptedAsync(await PostAsync(host, "/api/devices/refresh", [IPadUdid, MacUdid], "refresh-43"));

        Assert.Equal(first.GetProperty("commands").GetInt32(), retry.GetProperty("commands").GetInt32());
        var keys = host.Pushes.Calls.Select(c => c.Key).ToArray();
        Assert.Equal(keys[0], keys[1]);
        Assert.NotEqual(keys[0], keys[2]);
        Assert.Equal(4, (await QueuedAsync(host, IPadUdid)).Length); // twice (keys 42 and 43), not three times
        Assert.Equal(2, (await QueuedAsync(host, MacUdid)).Length);
    }

    [Fact]
    public async Task A_group_refresh_queues_its_enrolled_members_and_skips_the_others()
    {
        await using var host = await EnrolledHostAsync();
        await CreateGroupAsync(host.Admin, "lab", [IPadUdid, HalfEnrolledUdid]);

        var body = await AcceptedAsync(await host.Admin.PostAsync("/api/device-groups/lab/refresh", null, Token));

        Assert.Equal(1, body.GetProperty("queued").GetInt32());
        Assert.Equal([(HalfEnrolledUdid, "not-enrolled")], Skipped(body));
        Assert.Equal([new ChannelId(IPadUdid)], Assert.Single(host.Pushes.Calls).Channels);
        Assert.Empty(await QueuedAsync(host, MacUdid));
    }

    [Fact]
    public async Task Refreshing_an_unknown_group_is_404_and_bad_bodies_are_400()
    {
        await using var host = new DevicesTestHost(azurite);

        await ProblemAssert.IsProblemAsync(await host.Admin.PostAsync("/api/device-groups/no-such-group/refresh", null, Token), HttpStatusCode.NotFound, "not-found");
        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync(host, "/api/devices/refresh", [])).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync(host, "/api/devices/refresh", [.. Enumerable.Range(0, 10_001).Select(i => "d" + i)])).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await host.Admin.PostAsync("/api/devices/refresh", JsonContent.Create(new { }), Token)).StatusCode);
        Assert.Empty(host.Pushes.Calls);
    }

    [Fact]
    public async Task Nothing_to_refresh_is_still_accepted_without_a_push()
    {
        await using var host = new DevicesTestHost(azurite);

        var body = await AcceptedAsync(await PostAsync(host, "/api/devices/refresh", ["ghost"]));

        Assert.Equal(JsonValueKind.Null, body.GetProperty("taskId").ValueKind);
        Assert.Equal(0, body.GetProperty("queued").GetInt32());
        Assert.Equal([("ghost", "not-found")], Skipped(body));
        Assert.Empty(host.Pushes.Calls);
    }

    async Task<DevicesTestHost> EnrolledHostAsync()
    {
        var host = new DevicesTestHost(azurite);
        await host.EnrolIPadAsync();
        await host.EnrolMacAsync();
        await AssertEmptyOkAsync(await host.CheckinAsync(With(CaptureDictionary("Authenticate.1.plist"), "UDID", HalfEnrolledUdid)));
        return host;
    }

    static async Task<HttpResponseMessage> PostAsync(DevicesTestHost host, string path, string[] deviceIds, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(new { deviceIds }) };
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        return await host.Admin.SendAsync(request, Token);
    }

    static async Task<string[]> QueuedAsync(DevicesTestHost host, string udid) =>
        [.. (await host.GetJsonAsync($"/api/devices/{udid}/commands")).GetProperty("items").EnumerateArray()
            .Where(c => c.GetProperty("status").GetString() == "queued")
            .OrderBy(c => c.GetProperty("enqueuedAt").GetDateTimeOffset()).ThenBy(c => c.GetProperty("requestType").GetString(), StringComparer.Ordinal)
            .Select(c => c.GetProperty("requestType").GetString()!)];
}
