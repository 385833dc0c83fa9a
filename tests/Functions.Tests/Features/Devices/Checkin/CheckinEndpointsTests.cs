using System.Net;
using System.Text;
using System.Text.Json;
using ManagedDistribution.Features.Devices;
using ManagedDistribution.Features.Devices.Registry;
using ManagedDistribution.Tests.Features.Devices.Support;
using ManagedDistribution.Tests.Infrastructure;
using ManagedDistribution.Tests.Platform.Http;
using static ManagedDistribution.Tests.Features.Devices.Protocol.MdmTestData;
using static ManagedDistribution.Tests.Features.Devices.Support.DevicesTestHost;

namespace ManagedDistribution.Tests.Features.Devices.Checkin;

public sealed class CheckinEndpointsTests(AzuriteFixture azurite)
{
    static CancellationToken Token => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("Authenticate.1.plist", "TokenUpdate.1.plist", IPadUdid, "iPadOS", "9.3.5", "F5JM992LF193")]
    [InlineData("Authenticate.2.plist", "TokenUpdate.2.plist", MacUdid, "macOS", "10.12.6", "C02MT66KFLHH")]
    public async Task Real_captures_enrol_a_device_with_platform_and_OS(string authenticate, string tokenUpdate, string udid, string platform,
        string osVersion, string serial)
    {
        await using var host = new DevicesTestHost(azurite);

        await AssertEmptyOkAsync(await host.CheckinAsync(Capture(authenticate)));
        var authenticated = await host.GetDeviceAsync(udid);
        Assert.Equal("authenticated", authenticated.GetProperty("enrollmentState").GetString());
        Assert.False(authenticated.GetProperty("reachable").GetBoolean());
        Assert.Equal(JsonValueKind.Null, authenticated.GetProperty("enrolledAt").ValueKind);
        Assert.Null(await host.Service<IPushTargets>().GetAsync(new ChannelId(udid), Token));

        await AssertEmptyOkAsync(await host.CheckinAsync(Capture(tokenUpdate)));
        var device = await host.GetDeviceAsync(udid);
        Assert.Equal("enrolled", device.GetProperty("enrollmentState").GetString());
        Assert.True(device.GetProperty("reachable").GetBoolean());
        Assert.Equal(platform, device.GetProperty("platform").GetString());
        Assert.Equal(osVersion, device.GetProperty("osVersion").GetString());
        Assert.Equal(serial, device.GetProperty("serialNumber").GetString());
        Assert.NotEqual(JsonValueKind.Null, device.GetProperty("enrolledAt").ValueKind);
        Assert.NotEqual(JsonValueKind.Null, device.GetProperty("lastCheckinAt").ValueKind);
        Assert.False(device.GetProperty("identityBound").GetBoolean());

        var target = await host.Service<IPushTargets>().GetAsync(new ChannelId(udid), Token);
        Assert.NotNull(target);
        Assert.Equal(Topic, target.Topic);
        Assert.True(target.TokenUsable);
        Assert.Equal((byte[])CaptureDictionary(tokenUpdate)["Token"], target.Token);
        Assert.Equal((string)CaptureDictionary(tokenUpdate)["PushMagic"], target.PushMagic);
    }

    [Fact]
    public async Task A_repeated_TokenUpdate_replaces_push_credentials_keeps_the_unlock_token_and_the_enrolment_date()
    {
        await using var host = new DevicesTestHost(azurite);
        await host.EnrolIPadAsync();
        var enrolledAt = (await host.GetDeviceAsync(IPadUdid)).GetProperty("enrolledAt").GetString();
        var store = host.Service<DeviceStore>();
        var unlockToken = (await store.GetAsync(IPadUdid, Token))!.UnlockToken;
        Assert.NotNull(unlockToken);

        var update = CaptureDictionary("TokenUpdate.1.plist");
        update.Remove("UnlockToken");
        update["PushMagic"] = "11111111-2222-3333-4444-555555555555";
        update["Token"] = new byte[] { 1, 2, 3, 4 };
        await AssertEmptyOkAsync(await host.CheckinAsync(Body(update.Select(e => (e.Key, e.Value)).ToArray())));

        var stored = (await store.GetAsync(IPadUdid, Token))!;
        Assert.Equal("11111111-2222-3333-4444-555555555555", stored.PushMagic);
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, stored.PushToken);
        Assert.Equal(unlockToken, stored.UnlockToken);
        Assert.Equal(enrolledAt, (await host.GetDeviceAsync(IPadUdid)).GetProperty("enrolledAt").GetString());
    }

    [Fact]
    public async Task A_user_channel_TokenUpdate_records_the_user_channel()
    {
        await using var host = new DevicesTestHost(azurite);
        const string userId = "A1B2C3D4-0000-1111-2222-333344445555";
        var userUpdate = With(CaptureDictionary("TokenUpdate.2.plist"), "UserID", userId);
        userUpdate = With(PlistDictionaryOf(userUpdate), "UserShortName", "jappleseed");
        userUpdate = With(PlistDictionaryOf(userUpdate), "UserLongName", "Johnny Appleseed");

        await ProblemAssert.IsProblemAsync(await host.CheckinAsync(userUpdate), HttpStatusCode.Unauthorized, "unknown-device");
        await host.EnrolMacAsync();
        await AssertEmptyOkAsync(await host.CheckinAsync(userUpdate));

        var channels = (await host.GetDeviceAsync(MacUdid)).GetProperty("userChannels");
        var channel = Assert.Single(channels.EnumerateArray());
        Assert.Equal(userId, channel.GetProperty("userId").GetString());
        Assert.Equal("jappleseed", channel.GetProperty("shortName").GetString());
        Assert.Equal("Johnny Appleseed", channel.GetProperty("longName").GetString());
        Assert.True(channel.GetProperty("reachable").GetBoolean());
        var target = await host.Service<IPushTargets>().GetAsync(new ChannelId(MacUdid, userId), Token);
        Assert.NotNull(target);
        Assert.Equal(new ChannelId(MacUdid, userId), target.Channel);
    }

    [Fact]
    public async Task CheckOut_unenrols_and_the_device_is_no_longer_a_push_target()
    {
        await using var host = new DevicesTestHost(azurite);
        await host.EnrolMacAsync();

        await AssertEmptyOkAsync(await host.CheckinAsync(Body(("MessageType", "CheckOut"), ("Topic", Topic), ("UDID", MacUdid))));

        var device = await host.GetDeviceAsync(MacUdid);
        Assert.Equal("unenrolled", device.GetProperty("enrollmentState").GetString());
        Assert.False(device.GetProperty("reachable").GetBoolean());
        Assert.NotEqual(JsonValueKind.Null, device.GetProperty("unenrolledAt").ValueKind);
        Assert.Null(await host.Service<IPushTargets>().GetAsync(new ChannelId(MacUdid), Token));
        await ProblemAssert.IsProblemAsync(await host.ConnectAsync(Body(("Status", "Idle"), ("UDID", MacUdid))), HttpStatusCode.Unauthorized, "unknown-device");
        await ProblemAssert.IsProblemAsync(await host.CheckinAsync(Capture("TokenUpdate.2.plist")), HttpStatusCode.Unauthorized, "unknown-device");
    }

    public static TheoryData<string, byte[]> BadMessages => new()
    {
        { "not a plist", Encoding.UTF8.GetBytes("this is not XML") },
        { "truncated plist", Capture("Authenticate.1.plist")[..200] },
        { "array root", Encoding.UTF8.GetBytes("<?xml version=\"1.0\"?><plist version=\"1.0\"><array/></plist>") },
        { "unknown MessageType", Body(("MessageType", "UserAuthenticate"), ("Topic", Topic), ("UDID", IPadUdid)) },
        { "no MessageType", Body(("Topic", Topic), ("UDID", IPadUdid)) },
        { "no UDID", Without(CaptureDictionary("Authenticate.1.plist"), "UDID") },
        { "Token as string", With(CaptureDictionary("TokenUpdate.1.plist"), "Token", "R+juwGLC") },
        { "UDID with a slash", With(CaptureDictionary("Authenticate.1.plist"), "UDID", "a/b") },
        { "DTD entity", Encoding.UTF8.GetBytes("<?xml version=\"1.0\"?><!DOCTYPE plist [<!ENTITY x \"y\">]><plist version=\"1.0\"><dict><key>MessageType</key><string>&x;</string></dict></plist>") },
        { "empty body", [] },
        { "oversized", Oversized() },
    };

    [Theory]
    [MemberData(nameof(BadMessages))]
    public async Task Bad_check_ins_answer_400_and_change_nothing(string why, byte[] body)
    {
        await using var host = new DevicesTestHost(azurite);
        await host.EnrolIPadAsync();
        var before = await host.GetDeviceAsync(IPadUdid);

        var problem = await ProblemAssert.IsProblemAsync(await host.CheckinAsync(body), HttpStatusCode.BadRequest, "invalid-mdm-message");
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("detail").GetString()), why);
        await ProblemAssert.IsProblemAsync(await host.ConnectAsync(body), HttpStatusCode.BadRequest, "invalid-mdm-message");

        Assert.Equal(before.GetRawText(), (await host.GetDeviceAsync(IPadUdid)).GetRawText());
        var listed = await host.GetJsonAsync("/api/devices");
        Assert.Single(listed.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task An_oversized_chunked_body_is_refused_while_it_is_read()
    {
        await using var host = new DevicesTestHost(azurite);
        using var request = new HttpRequestMessage(HttpMethod.Put, "/mdm/checkin") { Content = new StreamContent(new UnseekableStream(Oversized())) };
        Assert.Null(request.Content.Headers.ContentLength);

        using var response = await host.Device.SendAsync(request, Token);

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "invalid-mdm-message");
        Assert.Contains("BodyTooLarge", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task TokenUpdate_for_a_device_that_never_authenticated_is_401_and_creates_nothing()
    {
        await using var host = new DevicesTestHost(azurite);

        await ProblemAssert.IsProblemAsync(await host.CheckinAsync(Capture("TokenUpdate.1.plist")), HttpStatusCode.Unauthorized, "unknown-device");

        using var response = await host.Admin.GetAsync("/api/devices/" + IPadUdid, Token);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    static byte[] Oversized()
    {
        var padding = new string('x', 300 * 1024);
        return Body(("MessageType", "Authenticate"), ("Topic", Topic), ("UDID", IPadUdid), ("DeviceName", padding));
    }

    static ManagedDistribution.Features.Devices.Protocol.Plist.PlistDictionary PlistDictionaryOf(byte[] body) =>
        ManagedDistribution.Features.Devices.Protocol.Plist.PlistReader.ReadDictionary(body);

    /// <summary>A body without a known length, so it travels chunked and the server has to count.</summary>
    sealed class UnseekableStream(byte[] content) : MemoryStream(content)
    {
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
    }
}
