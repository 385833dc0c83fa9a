using System.Globalization;
using ManagedDistribution.Features.Devices.Protocol.Plist;

namespace ManagedDistribution.Features.Devices.Protocol.Commands;

/// <summary>
/// Removes a managed book (iOS only; acknowledged even when the book is absent). Exactly one of
/// <see cref="ITunesStoreId"/> or <see cref="PersistentId"/>.
/// <see href="https://developer.apple.com/documentation/devicemanagement/removemediacommand">RemoveMediaCommand</see>.
/// </summary>
public sealed record RemoveMediaCommand : MdmCommandPayload
{
    internal const string Type = "RemoveMedia";

    public override string RequestType => Type;
    public string MediaType { get; init; } = InstallMediaCommand.BookMediaType;
    public long? ITunesStoreId { get; init; }
    public string? PersistentId { get; init; }

    internal override void WriteKeys(PlistDictionary command)
    {
        RequireExactlyOne("iTunesStoreID/PersistentID", ITunesStoreId, PersistentId);
        // Unlike InstallMedia, Apple's schema (media.remove.yaml) types iTunesStoreID here as <string>.
        command.AddIfNotNull("MediaType", MediaType)
            .AddIfNotNull("iTunesStoreID", ITunesStoreId?.ToString(CultureInfo.InvariantCulture))
            .AddIfNotNull("PersistentID", PersistentId);
    }

    internal static RemoveMediaCommand Read(PlistDictionary dict)
    {
        var command = new RemoveMediaCommand
        {
            MediaType = dict.RequireString("MediaType"),
            ITunesStoreId = dict.OptionalIntegerOrNumericString("iTunesStoreID"),
            PersistentId = dict.OptionalString("PersistentID"),
        };
        ExpectExactlyOne("iTunesStoreID/PersistentID", command.ITunesStoreId, command.PersistentId);
        return command;
    }
}
