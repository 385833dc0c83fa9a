using ManagedDistribution.Features.AppsAndBooks.Models;
using Microsoft.Extensions.Options;

namespace ManagedDistribution.Features.AppsAndBooks;

/// <summary>
/// Client of Apple's Apps and Books for Organizations API v2 (formerly VPP). Every call but
/// Service Config takes the location's sToken; writes are chunked to the live Service Config
/// limits and return Apple's event ids (the work itself is asynchronous).
/// See https://developer.apple.com/documentation/devicemanagement/app-and-book-management
/// </summary>
public sealed partial class AppsAndBooksClient
{
    readonly AppsAndBooksTransport transport;
    readonly AppsAndBooksOptions settings;
    readonly TimeProvider time;
    readonly ServiceConfigCache serviceConfig;

    public AppsAndBooksClient(
        HttpClient httpClient, IOptions<AppsAndBooksOptions> options, TimeProvider timeProvider, ILogger<AppsAndBooksClient> logger,
        IEnumerable<IMdmInfoConflictObserver>? conflictObservers = null)
    {
        settings = options.Value;
        time = timeProvider;
        transport = new AppsAndBooksTransport(httpClient, options, timeProvider, logger, [.. conflictObservers ?? []]);
        serviceConfig = new ServiceConfigCache(transport, timeProvider, settings.ServiceConfigRefreshInterval, logger);
    }

    /// <summary>The API base URL requests go to.</summary>
    public Uri Endpoint => transport.BaseUrl;

    /// <summary>Our identity as configured; what <c>mdmInfo</c> on every response is compared with.</summary>
    public MdmInfo OurMdmInfo => new(settings.MdmId, settings.MdmName, settings.MdmMetadata);

    /// <summary>Service Config, cached and refreshed at most every <c>ServiceConfigRefreshInterval</c> (5 min).</summary>
    public Task<ServiceConfig> GetServiceConfigAsync(CancellationToken cancellationToken = default) =>
        serviceConfig.GetAsync(cancellationToken);

    /// <summary>The live limits (documented example values for keys the service leaves out).</summary>
    public async Task<ServiceLimits> GetLimitsAsync(CancellationToken cancellationToken = default) =>
        (await GetServiceConfigAsync(cancellationToken)).EffectiveLimits;

    /// <summary>The location's config; also the cheapest "is this token valid" probe.</summary>
    public Task<ClientConfig> GetClientConfigAsync(LocationToken token, CancellationToken cancellationToken = default) =>
        transport.GetAsync("client/config", token, AppsAndBooksJson.Default.ClientConfig, cancellationToken);

    /// <summary>
    /// Claims the location for an MDM and (un)registers notifications. Apple sends
    /// TEST_NOTIFICATION at once and rejects the config (9728) if it is not delivered, so the
    /// endpoint must already answer 2xx. URL and auth token go together (9710).
    /// </summary>
    public Task<ClientConfig> UpdateClientConfigAsync(
        LocationToken token, MdmInfo? mdmInfo, Uri? notificationUrl, string? notificationAuthToken,
        IReadOnlyList<string>? notificationTypes, CancellationToken cancellationToken = default)
    {
        var body = new ClientConfigRequest
        {
            MdmInfo = mdmInfo,
            NotificationUrl = notificationUrl?.AbsoluteUri,
            NotificationAuthToken = notificationAuthToken,
            NotificationTypes = notificationTypes,
        };
        return transport.PostAsync("client/config", token, body, AppsAndBooksJson.Default.ClientConfigRequest,
            AppsAndBooksJson.Default.ClientConfig, cancellationToken);
    }

    /// <summary>Event Status of an earlier management call.</summary>
    public Task<EventStatus> GetEventStatusAsync(LocationToken token, string eventId, CancellationToken cancellationToken = default)
    {
        var query = new AppsAndBooksQuery().Add("eventId", eventId);
        return transport.GetAsync("status" + query, token, AppsAndBooksJson.Default.EventStatus, cancellationToken);
    }

    /// <summary>
    /// Polls Event Status with growing delays until COMPLETE or FAILED. A FAILED event may still
    /// have partly succeeded: see <see cref="EventStatus.FailedIdentifiers"/>. Bound the wait with
    /// the cancellation token.
    /// </summary>
    public async Task<EventStatus> WaitForEventAsync(LocationToken token, string eventId, CancellationToken cancellationToken = default)
    {
        var delay = settings.InitialEventPollDelay;
        while (true)
        {
            var status = await GetEventStatusAsync(token, eventId, cancellationToken);
            if (status.IsFinished) return status;
            await Task.Delay(delay, time, cancellationToken);
            delay = TimeSpan.FromTicks(Math.Min((long)(delay.Ticks * 1.5), settings.MaxEventPollDelay.Ticks));
        }
    }
}
