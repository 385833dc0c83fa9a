using System.Security.Cryptography;
using System.Text;
using ManagedDistribution.Features.Devices.Protocol;
using ManagedDistribution.Features.Devices.Protocol.Commands;
using ManagedDistribution.Features.Devices.Protocol.Plist;

namespace ManagedDistribution.AppleEmulator.Devices;

/// <summary>A simulated device's answer to one command: what it reports and the plist to send.</summary>
public sealed record CommandAnswer(string CommandUuid, string RequestType, string Status, byte[] Body);

/// <summary>
/// Reads a command plist the server sent and answers it as a device would: CommandFormatError
/// when it cannot be read, Error when the platform does not support it, else the outcome the
/// <see cref="OutcomePolicy"/> picks, with plausible response keys when Acknowledged.
/// </summary>
public sealed class CommandResponder(OutcomePolicy policy, TimeProvider timeProvider)
{
    /// <summary>Bundle id a simulated device gives a store app installed by iTunesStoreID (adamId).</summary>
    public Func<long, string> BundleIdForAdamId { get; set; } = adamId => $"com.emulator.app{adamId}";

    /// <summary>Null when not even a CommandUUID can be read: the device ends the session.</summary>
    public CommandAnswer? Answer(SimulatedChannel channel, byte[] body)
    {
        var decoded = MdmCommand.Decode(body);
        if (!decoded.Succeeded)
            return UuidOf(body) is { } uuid ? Answer(channel, uuid, "", "CommandFormatError", null) : null;
        var command = decoded.Value;
        var payload = command.DecodePayload();
        if (!payload.Succeeded && payload.Error.Code != MdmParseErrorCode.UnknownMessageType)
            return Answer(channel, command.CommandUuid, command.RequestType, "CommandFormatError", null);

        if (Unsupported(channel, command.RequestType) is { } reason)
            return Answer(channel, command.CommandUuid, command.RequestType, "Error", Failure(12078, reason));
        return policy.Decide(channel.Device.Udid, command.RequestType) switch
        {
            CommandOutcome.NotNow => Answer(channel, command.CommandUuid, command.RequestType, "NotNow", null),
            CommandOutcome.Error => Answer(channel, command.CommandUuid, command.RequestType, "Error", Failure(12021, "Simulated failure.")),
            CommandOutcome.Declined when payload.Succeeded && payload.Value is InviteToProgramCommand =>
                Answer(channel, command.CommandUuid, command.RequestType, "Acknowledged", report => report.Add("InvitationResult", "InvalidInvitationURL")),
            _ => Answer(channel, command.CommandUuid, command.RequestType, "Acknowledged",
                payload.Succeeded ? Respond(channel, payload.Value) : RespondUntyped(channel, command)),
        };
    }

    static CommandAnswer Answer(SimulatedChannel channel, string uuid, string requestType, string status, Action<PlistDictionary>? addKeys)
    {
        var report = MdmMessages.Report(channel, status, uuid);
        addKeys?.Invoke(report);
        return new CommandAnswer(uuid, requestType, status, PlistWriter.Write(report));
    }

    /// <summary>Why the device refuses this request type on this channel (Apple's platform rules, apple.md §3.5–3.6).</summary>
    static string? Unsupported(SimulatedChannel channel, string requestType)
    {
        if (!channel.Device.Model.IsMac) return null;
        return requestType switch
        {
            "ManagedMediaList" or "RemoveMedia" => $"{requestType} is not supported on macOS.",
            "InstallMedia" or "InviteToProgram" when !channel.IsUserChannel => $"{requestType} is only supported on the macOS user channel.",
            _ => null,
        };
    }

    static Action<PlistDictionary> Failure(long code, string description) =>
        report => report.Add("ErrorChain", new List<object> { MdmMessages.ErrorChainEntry(code, "MCMDMErrorDomain", description) });

    Action<PlistDictionary>? Respond(SimulatedChannel channel, MdmCommandPayload payload) => payload switch
    {
        ManagedApplicationListCommand list => report => report.Add("ManagedApplicationList", InventoryPlists.Apps(channel.Device.Inventory, list.Identifiers)),
        ManagedMediaListCommand => report => report.Add("Books", InventoryPlists.Books(channel.Device.Inventory)),
        InstallApplicationCommand install => InstallApplication(channel, install),
        InstallMediaCommand install => InstallMedia(channel, install),
        RemoveApplicationCommand remove => _ => channel.Device.Inventory.RemoveApp(remove.Identifier),
        RemoveMediaCommand remove => _ => channel.Device.Inventory.RemoveBook(remove.ITunesStoreId, remove.PersistentId),
        InviteToProgramCommand invite => InviteToProgram(channel, invite),
        _ => null,
    };

    Action<PlistDictionary> InstallApplication(SimulatedChannel channel, InstallApplicationCommand install)
    {
        var bundleId = install.Identifier
            ?? (install.ITunesStoreId is { } adamId ? BundleIdForAdamId(adamId) : "com.emulator.enterprise." + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(install.ManifestUrl!)))[..12]);
        channel.Device.Inventory.AddApp(new ManagedAppState(bundleId, install.ITunesStoreId, "Managed",
            install.ManagementFlags ?? 0, install.Configuration is not null));
        return report =>
        {
            report.Add("Identifier", bundleId);
            report.Add("State", "Queued");
        };
    }

    static Action<PlistDictionary> InstallMedia(SimulatedChannel channel, InstallMediaCommand install)
    {
        channel.Device.Inventory.AddBook(new ManagedBookState(install.ITunesStoreId, install.PersistentId,
            install.ITunesStoreId is null ? "Managed" : "Installed", install.Kind, install.Version, install.Author, install.Title));
        return report =>
        {
            report.AddIfNotNull("iTunesStoreID", install.ITunesStoreId);
            report.AddIfNotNull("MediaURL", install.MediaUrl);
            report.AddIfNotNull("PersistentID", install.PersistentId);
            report.Add("MediaType", install.MediaType);
            report.Add("State", "Installing");
        };
    }

    Action<PlistDictionary> InviteToProgram(SimulatedChannel channel, InviteToProgramCommand invite)
    {
        var valid = invite.ProgramId == InviteToProgramCommand.CloudVppProgramId;
        if (valid) channel.Device.RecordInvitation(new ReceivedInvitation(invite.ProgramId, invite.InvitationUrl, channel.Id, timeProvider.GetUtcNow()));
        return report => report.Add("InvitationResult", valid ? InviteToProgramResponse.Acknowledged : "InvalidProgramID");
    }

    /// <summary>Request types this server does not emit: a few queries get answers, the rest a bare acknowledgement.</summary>
    static Action<PlistDictionary>? RespondUntyped(SimulatedChannel channel, MdmCommand command) => command.RequestType switch
    {
        "DeviceInformation" => report => report.Add("QueryResponses", InventoryPlists.DeviceInformation(channel.Device)),
        _ => null,
    };

    static string? UuidOf(byte[] body)
    {
        try
        {
            return PlistReader.ReadDictionary(body).TryGet<string>("CommandUUID", out var uuid) && uuid.Length > 0 ? uuid : null;
        }
        catch (PlistFormatException)
        {
            return null;
        }
    }
}
