using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using ManagedDistribution.Features.Devices.Protocol.Plist;

namespace ManagedDistribution.AppleEmulator.Devices;

/// <summary>
/// The plists a device sends, laid out as Apple devices write them (see the captures in
/// fixtures/mdm-device-captures): check-in messages and command reports. Pure code.
/// <see href="https://developer.apple.com/documentation/devicemanagement/check-in">Check-in</see>.
/// </summary>
public static class MdmMessages
{
    public static byte[] Authenticate(SimulatedDevice device)
    {
        var message = new PlistDictionary
        {
            { "MessageType", "Authenticate" },
            { "Topic", device.Topic },
            { "UDID", device.Udid },
            { "SerialNumber", device.SerialNumber },
            { "ProductName", device.Model.ProductName },
            { "OSVersion", device.Model.OSVersion },
            { "BuildVersion", device.Model.BuildVersion },
            { "DeviceName", device.DeviceName },
        };
        // Only macOS adds Model and ModelName (apple.md §3.3).
        if (device.Model.IsMac)
        {
            message.Add("Model", device.Model.ProductName);
            message.Add("ModelName", device.Model.ModelName);
        }
        return PlistWriter.Write(message);
    }

    public static byte[] TokenUpdate(SimulatedChannel channel, byte[]? unlockToken = null)
    {
        var message = new PlistDictionary { { "MessageType", "TokenUpdate" }, { "Topic", channel.Device.Topic } };
        AddIdentity(message, channel);
        message.Add("Token", channel.Token);
        message.Add("PushMagic", channel.PushMagic);
        message.AddIfNotNull("UnlockToken", unlockToken);
        if (channel.IsUserChannel) message.Add("NotOnConsole", false);
        else message.Add("AwaitingConfiguration", false);
        return PlistWriter.Write(message);
    }

    public static byte[] CheckOut(SimulatedDevice device) => PlistWriter.Write(new PlistDictionary
    {
        { "MessageType", "CheckOut" },
        { "Topic", device.Topic },
        { "UDID", device.Udid },
    });

    /// <summary>A report to the connect endpoint; add command-specific keys before writing it.</summary>
    public static PlistDictionary Report(SimulatedChannel channel, string status, string? commandUuid = null)
    {
        var report = new PlistDictionary();
        AddIdentity(report, channel);
        report.Add("Status", status);
        report.AddIfNotNull("CommandUUID", commandUuid);
        return report;
    }

    public static byte[] Idle(SimulatedChannel channel) => PlistWriter.Write(Report(channel, "Idle"));

    /// <summary>One ErrorChain entry; codes are diagnostic only (apple.md §3.4).</summary>
    public static PlistDictionary ErrorChainEntry(long code, string domain, string description) => new()
    {
        { "ErrorCode", code },
        { "ErrorDomain", domain },
        { "LocalizedDescription", description },
        { "USEnglishDescription", description },
    };

    static void AddIdentity(PlistDictionary message, SimulatedChannel channel)
    {
        message.Add("UDID", channel.Device.Udid);
        if (channel.User is not { } user) return;
        message.Add("UserID", user.UserId);
        message.Add("UserShortName", user.ShortName);
        message.Add("UserLongName", user.LongName);
    }

    /// <summary>Base64 of a detached CMS SignedData over <paramref name="body"/>, signer certificate embedded.</summary>
    public static string Sign(byte[] body, X509Certificate2 identity)
    {
        var cms = new SignedCms(new ContentInfo(body), detached: true);
        cms.ComputeSignature(new CmsSigner(identity) { IncludeOption = X509IncludeOption.EndCertOnly });
        return Convert.ToBase64String(cms.Encode());
    }
}
