using System.Text;
using ManagedDistribution.Features.Devices.Commands;
using ManagedDistribution.Features.Devices.Protocol;
using ManagedDistribution.Features.Devices.Protocol.Commands;

namespace ManagedDistribution.Features.Devices.Inventory;

/// <summary>
/// Turns acknowledged query commands into inventory rows: ManagedApplicationList → apps,
/// ManagedMediaList → books. An answer that does not parse is logged and skipped; the command
/// itself stays acknowledged with its raw response kept for diagnosis.
/// </summary>
public sealed class InventoryIngest(InventoryStore store, TimeProvider time, ILogger<InventoryIngest> logger)
{
    public async Task IngestAsync(ChannelId channel, CommandRecord command, CommandReport report, CancellationToken cancellationToken)
    {
        var reportedAt = command.CompletedAt ?? time.GetUtcNow();
        switch (command.RequestType)
        {
            case "ManagedApplicationList":
                var apps = ManagedApplicationListResponse.Parse(report);
                if (Failed(apps.Error, command)) return;
                await store.ReplaceAppsAsync(channel, apps.Value!.Applications, partial: AskedForSome(command), reportedAt, cancellationToken);
                break;
            case "ManagedMediaList":
                var books = ManagedMediaListResponse.Parse(report);
                if (Failed(books.Error, command)) return;
                await store.ReplaceBooksAsync(channel, books.Value!.Books, reportedAt, cancellationToken);
                break;
        }
    }

    bool Failed(MdmParseError? error, CommandRecord command)
    {
        if (error is null) return false;
        logger.LogWarning("{RequestType} answer for {CommandUuid} not stored as inventory: {ParseError} {Detail}",
            command.RequestType, command.CommandUuid, error.Code, error.Detail);
        return true;
    }

    /// <summary>A ManagedApplicationList limited to <c>Identifiers</c> says nothing about the other apps.</summary>
    static bool AskedForSome(CommandRecord command) =>
        MdmCommand.Decode(Encoding.UTF8.GetBytes(command.Payload)) is { Succeeded: true } envelope
        && envelope.Value.DecodePayload() is { Succeeded: true, Value: ManagedApplicationListCommand { Identifiers: not null } };
}
