using ManagedDistribution.Features.Devices.Protocol.Plist;

namespace ManagedDistribution.Features.Devices.Protocol;

/// <summary>
/// Push credentials for one channel (the device channel, or a macOS / Shared iPad user channel).
/// <see href="https://developer.apple.com/documentation/devicemanagement/tokenupdaterequest">TokenUpdateRequest</see>.
/// May repeat at any time with new values; an absent <see cref="UnlockToken"/> does not invalidate a stored one.
/// <see cref="Token"/>, <see cref="PushMagic"/> and <see cref="UnlockToken"/> are secrets: never log them.
/// </summary>
public sealed record TokenUpdate : CheckinMessage
{
    internal const string Type = "TokenUpdate";

    public override string MessageType => Type;

    /// <summary>The APNs device token (raw bytes; hex-encode for the APNs path).</summary>
    public required byte[] Token { get; init; }

    /// <summary>The value to send as <c>mdm</c> in the push payload.</summary>
    public required string PushMagic { get; init; }

    public byte[]? UnlockToken { get; init; }

    /// <summary>Device channel: waiting for <c>DeviceConfigured</c>; Shared iPad user channel: waiting for <c>UserConfigured</c>.</summary>
    public bool AwaitingConfiguration { get; init; }

    /// <summary>macOS user channel: the user is not logged in at the console.</summary>
    public bool? NotOnConsole { get; init; }

    /// <summary>True when this token is for a user channel (see <see cref="MdmChannelIdentity.UserChannelId"/>).</summary>
    public bool IsUserChannel => Identity.IsUserChannel;

    /// <summary>Omits the token, push magic and unlock token so a logged record never leaks them.</summary>
    public override string ToString() =>
        $"TokenUpdate {{ Topic = {Topic}, Identity = {Identity}, AwaitingConfiguration = {AwaitingConfiguration}, NotOnConsole = {NotOnConsole} }}";

    internal static TokenUpdate Decode(PlistDictionary dict) => new()
    {
        Topic = dict.RequireString("Topic"),
        Identity = MdmChannelIdentity.Read(dict),
        Token = dict.RequireData("Token"),
        PushMagic = dict.RequireString("PushMagic"),
        UnlockToken = dict.OptionalData("UnlockToken"),
        AwaitingConfiguration = dict.OptionalBoolean("AwaitingConfiguration") ?? false,
        NotOnConsole = dict.OptionalBoolean("NotOnConsole"),
    };
}
