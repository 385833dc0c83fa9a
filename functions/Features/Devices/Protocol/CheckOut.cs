using ManagedDistribution.Features.Devices.Protocol.Plist;

namespace ManagedDistribution.Features.Devices.Protocol;

/// <summary>
/// The MDM profile was removed (sent only when the profile set <c>CheckOutWhenRemoved</c>; best effort).
/// <see href="https://developer.apple.com/documentation/devicemanagement/checkoutrequest">CheckOutRequest</see>.
/// </summary>
public sealed record CheckOut : CheckinMessage
{
    internal const string Type = "CheckOut";

    public override string MessageType => Type;

    internal static CheckOut Decode(PlistDictionary dict) => new()
    {
        Topic = dict.RequireString("Topic"),
        Identity = MdmChannelIdentity.Read(dict),
    };
}
