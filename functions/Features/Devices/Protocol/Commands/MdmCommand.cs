using ManagedDistribution.Features.Devices.Protocol.Plist;

namespace ManagedDistribution.Features.Devices.Protocol.Commands;

/// <summary>
/// The command envelope the server returns on the connect endpoint: <c>CommandUUID</c> plus a
/// <c>Command</c> dictionary whose <c>RequestType</c> names the command.
/// <see href="https://developer.apple.com/documentation/devicemanagement/commands-and-queries">Commands and Queries</see>, contracts/apple.md §3.4.
/// </summary>
public sealed record MdmCommand(string CommandUuid, PlistDictionary Command)
{
    /// <summary>The <c>Command</c> dictionary's <c>RequestType</c>, or "" if it has none.</summary>
    public string RequestType => Command.TryGet<string>("RequestType", out var type) ? type : "";

    /// <summary>The XML plist body to send to the device.</summary>
    public byte[] Encode() => PlistWriter.Write(new PlistDictionary
    {
        { "CommandUUID", CommandUuid },
        { "Command", Command },
    });

    /// <summary>Reads an envelope (what a device, or the device simulator, receives).</summary>
    public static MdmParseResult<MdmCommand> Decode(ReadOnlySpan<byte> body, int maxBytes = PlistReader.DefaultMaxBytes) =>
        MdmDecoder.Decode(body, maxBytes, dict =>
        {
            var command = dict.RequireDictionary("Command");
            command.RequireString("RequestType");
            return new MdmCommand(dict.RequireString("CommandUUID"), command);
        });

    /// <summary>The typed command for the request types this server emits.</summary>
    public MdmParseResult<MdmCommandPayload> DecodePayload() => MdmCommandPayload.Decode(Command);
}
