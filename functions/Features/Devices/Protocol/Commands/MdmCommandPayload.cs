using ManagedDistribution.Features.Devices.Protocol.Plist;

namespace ManagedDistribution.Features.Devices.Protocol.Commands;

/// <summary>
/// A typed MDM command this server emits. <see cref="ToCommand"/> wraps it in the envelope;
/// <see cref="Decode"/> reads one back (for the device simulator and round-trip tests).
/// </summary>
public abstract record MdmCommandPayload
{
    /// <summary>Apple's <c>RequestType</c>.</summary>
    public abstract string RequestType { get; }

    /// <summary>The <c>Command</c> dictionary: <c>RequestType</c> then the command's keys.</summary>
    public PlistDictionary ToPlist()
    {
        var command = new PlistDictionary { { "RequestType", RequestType } };
        WriteKeys(command);
        return command;
    }

    public MdmCommand ToCommand(string commandUuid) => new(commandUuid, ToPlist());

    /// <summary>Adds the command's keys; throws <see cref="InvalidOperationException"/> for an invalid combination.</summary>
    internal abstract void WriteKeys(PlistDictionary command);

    public static MdmParseResult<MdmCommandPayload> Decode(PlistDictionary command) =>
        MdmDecoder.Decode<MdmCommandPayload>(command, dict => dict.RequireString("RequestType") switch
        {
            InstallApplicationCommand.Type => InstallApplicationCommand.Read(dict),
            InstallMediaCommand.Type => InstallMediaCommand.Read(dict),
            RemoveApplicationCommand.Type => RemoveApplicationCommand.Read(dict),
            RemoveMediaCommand.Type => RemoveMediaCommand.Read(dict),
            ManagedApplicationListCommand.Type => ManagedApplicationListCommand.Read(dict),
            ManagedMediaListCommand.Type => new ManagedMediaListCommand(),
            InviteToProgramCommand.Type => InviteToProgramCommand.Read(dict),
            var other => throw new MdmMessageException(new(MdmParseErrorCode.UnknownMessageType,
                $"RequestType '{other}' is not one this server emits.", "RequestType", other)),
        });

    /// <summary>Encoding-side check: exactly one of the alternatives must be set.</summary>
    private protected static void RequireExactlyOne(string keys, params object?[] values)
    {
        if (values.Count(value => value is not null) != 1)
            throw new InvalidOperationException($"{keys}: set exactly one.");
    }

    /// <summary>Decoding-side check, reported as <see cref="MdmParseErrorCode.InvalidValue"/>.</summary>
    private protected static void ExpectExactlyOne(string keys, params object?[] values)
    {
        if (values.Count(value => value is not null) != 1)
            throw MessageFields.Invalid(keys, "", $"{keys}: exactly one must be present.");
    }
}
