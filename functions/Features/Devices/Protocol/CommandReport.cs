using ManagedDistribution.Features.Devices.Protocol.Plist;

namespace ManagedDistribution.Features.Devices.Protocol;

/// <summary>The <c>Status</c> a device reports on the command (connect) endpoint.</summary>
public enum CommandStatus
{
    /// <summary>Nothing to report; the device asks for the next command.</summary>
    Idle,
    /// <summary>The command ran; response keys (if any) are in <see cref="CommandReport.Response"/>.</summary>
    Acknowledged,
    /// <summary>The command failed; see <see cref="CommandReport.ErrorChain"/>.</summary>
    Error,
    /// <summary>The device could not understand the command. Terminal, like <see cref="Error"/>.</summary>
    CommandFormatError,
    /// <summary>Cannot run now; the device drops the command, so the server must resend it later.</summary>
    NotNow,
}

/// <summary>One entry of <c>ErrorChain</c>; the first is the top-level error. Codes are diagnostic only.</summary>
public sealed record MdmErrorChainEntry(long? ErrorCode, string? ErrorDomain, string? LocalizedDescription, string? USEnglishDescription);

/// <summary>
/// A device's <c>PUT</c> to <c>ServerURL</c> (<c>Content-Type: application/x-apple-aspen-mdm</c>): its
/// status and, unless <see cref="CommandStatus.Idle"/>, the <c>CommandUUID</c> it reports on.
/// <see href="https://developer.apple.com/documentation/devicemanagement/implementing-device-management/sending-mdm-commands-to-a-device">Sending MDM commands to a device</see>,
/// <see href="https://developer.apple.com/documentation/devicemanagement/errorchainitem">ErrorChainItem</see>, contracts/apple.md §3.4.
/// </summary>
public sealed record CommandReport
{
    public required MdmChannelIdentity Identity { get; init; }
    public required CommandStatus Status { get; init; }

    /// <summary>The command this report answers; null only for <see cref="CommandStatus.Idle"/>.</summary>
    public string? CommandUuid { get; init; }

    public IReadOnlyList<MdmErrorChainEntry> ErrorChain { get; init; } = [];

    /// <summary>The whole body as sent, for command-specific response keys (see the <c>*Response</c> parsers).</summary>
    public required PlistDictionary Response { get; init; }

    /// <summary>True when the command is finished and can leave the queue (Acknowledged, Error, CommandFormatError).</summary>
    public bool IsTerminal => Status is CommandStatus.Acknowledged or CommandStatus.Error or CommandStatus.CommandFormatError;

    public static MdmParseResult<CommandReport> Parse(ReadOnlySpan<byte> body, int maxBytes = PlistReader.DefaultMaxBytes) =>
        MdmDecoder.Decode(body, maxBytes, Decode);

    static CommandReport Decode(PlistDictionary dict)
    {
        var statusText = dict.RequireString("Status");
        if (!Enum.TryParse<CommandStatus>(statusText, ignoreCase: false, out var status) || status.ToString() != statusText)
            throw MessageFields.Invalid("Status", statusText, $"Status '{statusText}' is not an MDM status.");
        var commandUuid = dict.OptionalString("CommandUUID");
        if (status != CommandStatus.Idle && string.IsNullOrEmpty(commandUuid))
            throw new MdmMessageException(new(MdmParseErrorCode.MissingKey, $"Status '{statusText}' needs a 'CommandUUID'.", "CommandUUID"));
        return new CommandReport
        {
            Identity = MdmChannelIdentity.Read(dict),
            Status = status,
            CommandUuid = commandUuid,
            ErrorChain = ReadErrorChain(dict),
            Response = dict,
        };
    }

    static MdmErrorChainEntry[] ReadErrorChain(PlistDictionary dict) =>
        dict.OptionalArray("ErrorChain")?.Select(item => item is PlistDictionary entry
            ? new MdmErrorChainEntry(
                entry.OptionalInteger("ErrorCode"),
                entry.OptionalString("ErrorDomain"),
                entry.OptionalString("LocalizedDescription"),
                entry.OptionalString("USEnglishDescription"))
            : throw MessageFields.WrongType("ErrorChain", "array of dict")).ToArray() ?? [];
}
