using ManagedDistribution.Features.Devices.Protocol;
using static ManagedDistribution.Tests.Features.Devices.Protocol.MdmTestData;

namespace ManagedDistribution.Tests.Features.Devices.Protocol;

public class CheckinMessageTests
{
    [Theory]
    [InlineData("Authenticate.1.plist", "663b07bb783e9ade1dae4fbb92ea12afc0ce5b69", "F5JM992LF193", "iPad2,5", null, "9.3.5", "13G36", null, DevicePlatform.iPadOS)]
    [InlineData("Authenticate.2.plist", "66ADE930-5FDF-5EC4-8429-15640684C489", "C02MT66KFLHH", "iMac14,2", "iMac", "10.12.6", "16G2136", "Fruit", DevicePlatform.macOS)]
    public void Authenticate_captures_parse(string file, string udid, string serial, string product, string? modelName,
        string osVersion, string build, string? deviceName, DevicePlatform platform)
    {
        var result = CheckinMessage.Parse(Capture(file));

        Assert.True(result.Succeeded, result.Error?.Detail);
        var message = Assert.IsType<Authenticate>(result.Value);
        Assert.Equal("Authenticate", message.MessageType);
        Assert.Equal(Topic, message.Topic);
        Assert.Equal(udid, message.Identity.Udid);
        Assert.Equal(udid, message.Identity.DeviceChannelId);
        Assert.False(message.Identity.IsUserChannel);
        Assert.False(message.Identity.IsUserEnrollment);
        Assert.Equal(serial, message.SerialNumber);
        Assert.Equal(product, message.ProductName);
        Assert.Equal(modelName, message.ModelName);
        Assert.Equal(osVersion, message.OSVersion);
        Assert.Equal(build, message.BuildVersion);
        Assert.Equal(deviceName, message.DeviceName);
        Assert.Equal(platform, message.Platform);
        Assert.Equal(Version.Parse(osVersion), message.ParsedOSVersion);
    }

    [Theory]
    [InlineData("TokenUpdate.1.plist", "663b07bb783e9ade1dae4fbb92ea12afc0ce5b69", "CEFDF0BD-E342-4A27-8742-E930EA116B0A", "R+juwGLC9ynsFwPBs+GPGXHYXwC+dkRdNAgLqnAbX1E=", true)]
    [InlineData("TokenUpdate.2.plist", "66ADE930-5FDF-5EC4-8429-15640684C489", "888CEB39-BFFA-40F6-89FA-B60752EB63C2", "G6fJAGbFD3domiTzpCXK9oowD3KeiORgqUFgItXWQsw=", false)]
    public void TokenUpdate_captures_parse(string file, string udid, string pushMagic, string token, bool hasUnlockToken)
    {
        var result = CheckinMessage.Parse(Capture(file));

        Assert.True(result.Succeeded, result.Error?.Detail);
        var message = Assert.IsType<TokenUpdate>(result.Value);
        Assert.Equal(Topic, message.Topic);
        Assert.Equal(udid, message.Identity.DeviceChannelId);
        Assert.Equal(pushMagic, message.PushMagic);
        Assert.Equal(Convert.FromBase64String(token), message.Token);
        Assert.Equal(32, message.Token.Length);
        Assert.False(message.AwaitingConfiguration);
        Assert.False(message.IsUserChannel);
        Assert.Null(message.NotOnConsole);
        Assert.Equal(hasUnlockToken, message.UnlockToken is not null);
        if (hasUnlockToken) Assert.Equal("DATA"u8.ToArray(), message.UnlockToken![..4]); // Apple's keybag blob magic
    }

    [Fact]
    public void Every_capture_parses_to_its_file_name_message_type()
    {
        foreach (var name in CaptureNames())
        {
            var result = CheckinMessage.Parse(Capture(name));
            Assert.True(result.Succeeded, $"{name}: {result.Error?.Detail}");
            Assert.Equal(name.Split('.')[0], result.Value.MessageType);
        }
    }

    [Fact]
    public void TokenUpdate_ToString_hides_secrets()
    {
        var message = (TokenUpdate)CheckinMessage.Parse(Capture("TokenUpdate.1.plist")).Value!;
        Assert.DoesNotContain(message.PushMagic, message.ToString());
    }

    [Fact]
    public void CheckOut_parses()
    {
        var result = CheckinMessage.Parse(Body(("MessageType", "CheckOut"), ("Topic", Topic), ("UDID", "UDID-1")));

        var message = Assert.IsType<CheckOut>(result.Value);
        Assert.Equal("UDID-1", message.Identity.DeviceChannelId);
        Assert.Equal(Topic, message.Topic);
    }

    [Fact]
    public void User_enrollment_is_identified_by_EnrollmentID()
    {
        var result = CheckinMessage.Parse(Body(("MessageType", "Authenticate"), ("Topic", Topic), ("EnrollmentID", "ENR-1"), ("ProductName", "iPhone14,2")));

        var message = Assert.IsType<Authenticate>(result.Value);
        Assert.True(message.Identity.IsUserEnrollment);
        Assert.Equal("ENR-1", message.Identity.DeviceChannelId);
        Assert.Equal(DevicePlatform.iOS, message.Platform);
    }

    public static TheoryData<string, (string, object)[], string?> UserChannels => new()
    {
        { "device channel", [], null },
        { "macOS user", [("UserID", "501-GUID"), ("UserShortName", "ada"), ("UserLongName", "Ada Lovelace"), ("NotOnConsole", false)], "501-GUID" },
        { "Shared iPad user", [("UserID", MdmChannelIdentity.SharedIPadUserId), ("UserShortName", "ada@example.org")], "ada@example.org" },
        { "macOS User Enrollment user", [("EnrollmentUserID", "EUSER-1"), ("UserLongName", "Ada")], "EUSER-1" },
    };

    [Theory]
    [MemberData(nameof(UserChannels))]
    public void TokenUpdate_user_channel_identity(string description, (string, object)[] userKeys, string? expectedUserChannelId)
    {
        (string, object)[] deviceKeys = [("MessageType", "TokenUpdate"), ("Topic", Topic), ("UDID", "UDID-1"), ("Token", new byte[] { 1, 2, 3 }), ("PushMagic", "magic")];

        var message = Assert.IsType<TokenUpdate>(CheckinMessage.Parse(Body([.. deviceKeys, .. userKeys])).Value);

        Assert.Equal(expectedUserChannelId, message.Identity.UserChannelId);
        Assert.Equal(expectedUserChannelId is not null, message.IsUserChannel);
        Assert.Equal("UDID-1", message.Identity.DeviceChannelId);
        Assert.False(string.IsNullOrEmpty(description));
    }

    [Fact]
    public void AwaitingConfiguration_and_NotOnConsole_are_read()
    {
        var message = (TokenUpdate)CheckinMessage.Parse(Body(("MessageType", "TokenUpdate"), ("Topic", Topic), ("UDID", "U"),
            ("Token", new byte[] { 1 }), ("PushMagic", "m"), ("AwaitingConfiguration", true), ("NotOnConsole", true))).Value!;

        Assert.True(message.AwaitingConfiguration);
        Assert.True(message.NotOnConsole);
    }
}
