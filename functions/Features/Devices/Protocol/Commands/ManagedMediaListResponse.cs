using ManagedDistribution.Features.Devices.Protocol.Plist;

namespace ManagedDistribution.Features.Devices.Protocol.Commands;

/// <summary>One entry of <c>Books</c>. Store books report <c>Installed</c> rather than <c>Managed</c>.</summary>
public sealed record ManagedBook(
    long? ITunesStoreId,
    string? State,
    string? PersistentId = null,
    string? Kind = null,
    string? Version = null,
    string? Author = null,
    string? Title = null);

/// <summary>
/// The answer to <see cref="ManagedMediaListCommand"/>: the <c>Books</c> array.
/// <see href="https://developer.apple.com/documentation/devicemanagement/managedmedialistresponse">ManagedMediaListResponse</see>.
/// </summary>
public sealed record ManagedMediaListResponse(IReadOnlyList<ManagedBook> Books)
{
    public static MdmParseResult<ManagedMediaListResponse> Parse(CommandReport report) =>
        MdmDecoder.Decode(report.Response, dict => new ManagedMediaListResponse(
            dict.RequireArray("Books").Select(ReadBook)
                .ToArray()));

    static ManagedBook ReadBook(object value)
    {
        var book = value as PlistDictionary ?? throw MessageFields.WrongType("Books", "array of dict");
        return new ManagedBook(
            book.OptionalIntegerOrNumericString("iTunesStoreID"),
            book.OptionalString("State"),
            book.OptionalString("PersistentID"),
            book.OptionalString("Kind"),
            book.OptionalString("Version"),
            book.OptionalString("Author"),
            book.OptionalString("Title"));
    }
}
