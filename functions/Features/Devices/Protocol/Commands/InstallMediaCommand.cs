using ManagedDistribution.Features.Devices.Protocol.Plist;

namespace ManagedDistribution.Features.Devices.Protocol.Commands;

/// <summary>
/// Installs a book: a store book by <see cref="ITunesStoreId"/> (VPP user license), or (iOS only) an
/// enterprise book by <see cref="MediaUrl"/> with its <see cref="PersistentId"/>. Not on tvOS/visionOS/watchOS;
/// macOS user channel only.
/// <see href="https://developer.apple.com/documentation/devicemanagement/installmediacommand">InstallMediaCommand</see>.
/// </summary>
public sealed record InstallMediaCommand : MdmCommandPayload
{
    internal const string Type = "InstallMedia";

    /// <summary>The only <c>MediaType</c> Apple defines.</summary>
    public const string BookMediaType = "Book";

    public override string RequestType => Type;
    public string MediaType { get; init; } = BookMediaType;
    public long? ITunesStoreId { get; init; }
    public string? MediaUrl { get; init; }
    /// <summary>Reverse-DNS id of an enterprise book; required with <see cref="MediaUrl"/>.</summary>
    public string? PersistentId { get; init; }
    /// <summary><c>pdf</c>, <c>epub</c> or <c>ibooks</c>; defaults to the URL's extension.</summary>
    public string? Kind { get; init; }
    public string? Version { get; init; }
    public string? Author { get; init; }
    public string? Title { get; init; }

    public static InstallMediaCommand ForStoreBook(long adamId) => new() { ITunesStoreId = adamId };

    internal override void WriteKeys(PlistDictionary command)
    {
        RequireExactlyOne("iTunesStoreID/MediaURL", ITunesStoreId, MediaUrl);
        if (MediaUrl is not null && string.IsNullOrEmpty(PersistentId))
            throw new InvalidOperationException("MediaURL needs a PersistentID.");
        command.AddIfNotNull("MediaType", MediaType)
            .AddIfNotNull("iTunesStoreID", ITunesStoreId)
            .AddIfNotNull("MediaURL", MediaUrl)
            .AddIfNotNull("PersistentID", PersistentId)
            .AddIfNotNull("Kind", Kind)
            .AddIfNotNull("Version", Version)
            .AddIfNotNull("Author", Author)
            .AddIfNotNull("Title", Title);
    }

    internal static InstallMediaCommand Read(PlistDictionary dict)
    {
        var command = new InstallMediaCommand
        {
            MediaType = dict.RequireString("MediaType"),
            ITunesStoreId = dict.OptionalInteger("iTunesStoreID"),
            MediaUrl = dict.OptionalString("MediaURL"),
            PersistentId = dict.OptionalString("PersistentID"),
            Kind = dict.OptionalString("Kind"),
            Version = dict.OptionalString("Version"),
            Author = dict.OptionalString("Author"),
            Title = dict.OptionalString("Title"),
        };
        ExpectExactlyOne("iTunesStoreID/MediaURL", command.ITunesStoreId, command.MediaUrl);
        return command;
    }
}
