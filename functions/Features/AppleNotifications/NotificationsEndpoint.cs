using System.Text;
using System.Text.Json;
using ManagedDistribution.Features.AppsAndBooks.Models;
using ManagedDistribution.Features.Catalog;
using ManagedDistribution.Features.Licenses;
using ManagedDistribution.Features.LocationTokens;
using ManagedDistribution.Platform.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ManagedDistribution.Features.AppleNotifications;

/// <summary>What we answer Apple; any 2xx counts as delivered.</summary>
public sealed record NotificationAck(string NotificationId, string NotificationType, bool Duplicate, string State);

/// <summary>
/// <c>POST /api/apple/notifications</c>: Apple's callback. Anonymous at the edge; the bearer
/// token must match the notification token we registered for one of our locations (compared as
/// hashes, in constant time). Deduped on <c>notificationId</c>. TEST_NOTIFICATION is accepted,
/// ASSET_COUNT changes the ledger total; the other types go to their <see cref="IAppleNotificationHandler"/>.
/// See https://developer.apple.com/documentation/devicemanagement/subscribing-to-notifications
/// </summary>
public static class NotificationsEndpoint
{
    public static RouteHandlerBuilder MapAppleNotifications(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapPost(ApiRoutes.Prefix + "/apple/notifications", ReceiveAsync)
            .AllowAnonymous().WithTags("Apple callbacks").WithName("ReceiveAppleNotification")
            .WithSummary("Apple's Apps and Books notifications (bearer = the notification token registered with the location).");

    static async Task<Results<Ok<NotificationAck>, ProblemHttpResult>> ReceiveAsync(
        HttpRequest request, LocationTokenStore tokens, NotificationInbox inbox, LicenseLedger ledger, CatalogSync catalog,
        IEnumerable<IAppleNotificationHandler> handlers, ILogger<NotificationInbox> logger, Assignments.Waiting.WaitingListServer waiting,
        CancellationToken cancellationToken)
    {
        var presented = request.Headers.Authorization.ToString() is { } header && header.StartsWith("Bearer ", StringComparison.Ordinal) ? header[7..].Trim() : "";
        var location = presented.Length == 0 ? null
            : (await tokens.ListAsync(cancellationToken)).FirstOrDefault(t =>
                TokenProtector.Matches(presented, t.NotificationTokenHash) || TokenProtector.Matches(presented, t.PreviousNotificationTokenHash));
        if (location is null) return Problems.Result(ProblemCodes.Unauthorized, "The notification token is not one we registered.");

        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(cancellationToken);
        AppsAndBooksNotification? notification;
        try
        {
            notification = JsonSerializer.Deserialize(body, AppsAndBooksJson.Default.AppsAndBooksNotification);
        }
        catch (JsonException)
        {
            notification = null;
        }
        if (notification is not { NotificationId.Length: > 0, NotificationType.Length: > 0 })
            return Problems.Result(ProblemCodes.MalformedJson, "Expected {notification, notificationId, notificationType, uId}.");
        if (notification.UId is { } uId && uId != location.UId)
            return Problems.Result(ProblemCodes.Forbidden, "The notification names another location than its token.");

        var earlier = await inbox.RecordAsync(location.UId, notification.NotificationId, notification.NotificationType, body, cancellationToken);
        if (earlier is NotificationInbox.Applied or NotificationInbox.Pending)
        {
            logger.LogInformation("Duplicate notification {NotificationId} ({NotificationType}) ignored", notification.NotificationId, notification.NotificationType);
            return TypedResults.Ok(new NotificationAck(notification.NotificationId, notification.NotificationType, true, earlier));
        }
        var state = await ApplyAsync(location.UId, notification, ledger, catalog, handlers, cancellationToken);
        if (state == NotificationInbox.Applied && AssetCountIncrease(location.UId, notification) is { } grown) await waiting.ServeAsync(grown, cancellationToken);
        if (state == NotificationInbox.Received)
            return Problems.Result(ProblemCodes.Unavailable, "The notification could not be applied yet; Apple will deliver it again.");
        await inbox.MarkAsync(location.UId, notification.NotificationId, state, cancellationToken);
        logger.LogInformation("Notification {NotificationId} ({NotificationType}) for {LocationUId}: {State}",
            notification.NotificationId, notification.NotificationType, location.UId, state);
        return TypedResults.Ok(new NotificationAck(notification.NotificationId, notification.NotificationType, earlier is not null, state));
    }

    /// <summary>The content id whose total an ASSET_COUNT notification raised (its waiting list may be served, R17), else null.</summary>
    static string? AssetCountIncrease(string uId, AppsAndBooksNotification notification) =>
        notification.NotificationType == AppsAndBooksNotification.AssetCount
        && notification.Notification.Deserialize(AppsAndBooksJson.Default.AssetCountNotification) is { CountDelta: > 0 } change
            ? ContentRecord.VppId(uId, change.AdamId, change.PricingParam ?? AssetKey.Standard) : null;

    static async Task<string> ApplyAsync(
        string uId, AppsAndBooksNotification notification, LicenseLedger ledger, CatalogSync catalog, IEnumerable<IAppleNotificationHandler> handlers,
        CancellationToken cancellationToken)
    {
        switch (notification.NotificationType)
        {
            case AppsAndBooksNotification.TestNotification:
                return NotificationInbox.Applied;
            case AppsAndBooksNotification.AssetCount:
                var change = notification.Notification.Deserialize(AppsAndBooksJson.Default.AssetCountNotification);
                if (change is null) return NotificationInbox.Applied;
                var contentId = ContentRecord.VppId(uId, change.AdamId, change.PricingParam ?? AssetKey.Standard);
                var outcome = await ledger.ApplyTotalChangeAsync(contentId, change.CountDelta, notification.NotificationId, cancellationToken);
                // A purchase of something new: Apple's asset list already has it with its total.
                if (outcome == TotalChangeOutcome.UnknownItem) await catalog.SyncLocationAsync(uId, cancellationToken);
                return outcome == TotalChangeOutcome.Contended ? NotificationInbox.Received : NotificationInbox.Applied;
            default:
                // Types without a handler yet are kept as pending, body and all, to be applied later.
                var handler = handlers.FirstOrDefault(h => h.NotificationType == notification.NotificationType);
                return handler is null ? NotificationInbox.Pending : await handler.ApplyAsync(uId, notification, cancellationToken);
        }
    }
}
