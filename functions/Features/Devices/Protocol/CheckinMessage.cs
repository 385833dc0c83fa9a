using ManagedDistribution.Features.Devices.Protocol.Plist;

namespace ManagedDistribution.Features.Devices.Protocol;

/// <summary>
/// A check-in request (<c>PUT</c> to <c>CheckInURL</c>, <c>Content-Type: application/x-apple-aspen-mdm-checkin</c>),
/// one record per <c>MessageType</c> this server handles. See
/// <see href="https://developer.apple.com/documentation/devicemanagement/check-in">Check-in</see> and
/// contracts/apple.md §3.3.
/// </summary>
public abstract record CheckinMessage
{
    /// <summary>The APNs topic the device subscribes to (<c>com.apple.mgmt.…</c>); required in every check-in.</summary>
    public required string Topic { get; init; }

    /// <summary>The device (and, for user-channel TokenUpdate, user) that sent the message.</summary>
    public required MdmChannelIdentity Identity { get; init; }

    /// <summary>Apple's <c>MessageType</c> value for this record.</summary>
    public abstract string MessageType { get; }

    /// <summary>
    /// Decodes a check-in body. Any other <c>MessageType</c> (e.g. <c>UserAuthenticate</c>,
    /// <c>DeclarativeManagement</c>) is <see cref="MdmParseErrorCode.UnknownMessageType"/> with the
    /// type in <see cref="MdmParseError.Value"/>, so the endpoint can choose how to decline it.
    /// </summary>
    public static MdmParseResult<CheckinMessage> Parse(ReadOnlySpan<byte> body, int maxBytes = PlistReader.DefaultMaxBytes) =>
        MdmDecoder.Decode(body, maxBytes, Decode);

    static CheckinMessage Decode(PlistDictionary dict)
    {
        var messageType = dict.OptionalString("MessageType")
            ?? throw new MdmMessageException(new(MdmParseErrorCode.MissingMessageType, "The check-in has no 'MessageType'.", "MessageType"));
        return messageType switch
        {
            Authenticate.Type => Authenticate.Decode(dict),
            TokenUpdate.Type => TokenUpdate.Decode(dict),
            CheckOut.Type => CheckOut.Decode(dict),
            _ => throw new MdmMessageException(new(MdmParseErrorCode.UnknownMessageType,
                $"MessageType '{messageType}' is not handled.", "MessageType", messageType)),
        };
    }
}
