using System.Text.Json.Serialization;

namespace ManagedDistribution.Features.AppsAndBooks.Models;

/// <summary>
/// Fields common to the Apps and Books API v2 responses: <c>uId</c>, <c>tokenExpirationDate</c>
/// and, once some MDM has claimed the location, <c>mdmInfo</c>.
/// See https://developer.apple.com/documentation/devicemanagement/clientconfigresponse
/// </summary>
public abstract record AppsAndBooksResponse
{
    /// <summary>Library (location) id; two tokens with the same uId point at the same licenses.</summary>
    public string? UId { get; init; }

    [JsonConverter(typeof(AppleDateTimeConverter))]
    public DateTimeOffset? TokenExpirationDate { get; init; }

    public MdmInfo? MdmInfo { get; init; }

    /// <summary>
    /// Set by the client when <see cref="MdmInfo"/> names another MDM than ours: another server
    /// has taken over the location and writes must stop.
    /// </summary>
    [JsonIgnore]
    public bool MdmInfoConflict { get; internal set; }
}

/// <summary>Pagination and versioning fields of Get Assets, Get Assignments and Get Users.
/// See https://developer.apple.com/documentation/devicemanagement/using-paginated-endpoints</summary>
public abstract record PagedResponse : AppsAndBooksResponse
{
    public int CurrentPageIndex { get; init; }

    /// <summary>Present only when another page exists: the one signal to stop paging.</summary>
    public int? NextPageIndex { get; init; }

    public int Size { get; init; }

    public int TotalPages { get; init; }

    public string? VersionId { get; init; }
}
