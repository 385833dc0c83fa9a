namespace ManagedDistribution.Features.AppsAndBooks.Models;

/// <summary>Apple's error body; branch on <see cref="ErrorNumber"/>, never on the message.
/// See https://developer.apple.com/documentation/devicemanagement/errorresponse</summary>
public sealed record AppsAndBooksError(int ErrorNumber, string? ErrorMessage, ErrorInfo? ErrorInfo = null);

/// <summary>The entities an error is about.
/// See https://developer.apple.com/documentation/devicemanagement/responseerrorinfo</summary>
public sealed record ErrorInfo
{
    public IReadOnlyList<AssetKey>? Assets { get; init; }
    public IReadOnlyList<string>? ClientUserIds { get; init; }
    public IReadOnlyList<string>? SerialNumbers { get; init; }
}
