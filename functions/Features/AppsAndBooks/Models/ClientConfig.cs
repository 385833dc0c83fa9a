namespace ManagedDistribution.Features.AppsAndBooks.Models;

/// <summary>What Apple knows about this location and its MDM.
/// See https://developer.apple.com/documentation/devicemanagement/clientconfigresponse</summary>
public sealed record ClientConfig : AppsAndBooksResponse
{
    public string? CountryISO2ACode { get; init; }

    /// <summary>E.g. <c>volumestore</c>; the <c>platform</c> of the content metadata lookup.</summary>
    public string? DefaultPlatform { get; init; }
    public string? LocationName { get; init; }
    public string? NotificationAuthToken { get; init; }
    public string? NotificationUrl { get; init; }
    public IReadOnlyList<string>? SubscribedNotificationTypes { get; init; }
    public string? WebsiteURL { get; init; }
}

/// <summary>POST client/config body; every field optional.
/// See https://developer.apple.com/documentation/devicemanagement/clientconfigrequest</summary>
public sealed record ClientConfigRequest
{
    public MdmInfo? MdmInfo { get; init; }
    public string? NotificationUrl { get; init; }
    public string? NotificationAuthToken { get; init; }
    public IReadOnlyList<string>? NotificationTypes { get; init; }
}
