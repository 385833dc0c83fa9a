using ManagedDistribution.Features.AppsAndBooks.Models;

namespace ManagedDistribution.Features.AppleNotifications;

/// <summary>
/// Applies one type of Apple notification that the endpoint does not apply itself
/// (ASSET_MANAGEMENT: Assignments/Reconciliation; USER_MANAGEMENT, USER_ASSOCIATED: Invitations).
/// Register with <c>services.AddSingleton&lt;IAppleNotificationHandler, T&gt;()</c>.
/// Duplicates (same <c>notificationId</c>) never reach a handler once applied; a handler must
/// still be idempotent, because a crash between applying and recording replays it.
/// </summary>
public interface IAppleNotificationHandler
{
    /// <summary>The <c>notificationType</c> handled, e.g. <see cref="AppsAndBooksNotification"/> constants.</summary>
    string NotificationType { get; }

    /// <summary>
    /// Returns <see cref="NotificationInbox.Applied"/> when done, or <see cref="NotificationInbox.Received"/>
    /// when it could not be applied yet (the endpoint answers 503 and Apple delivers it again).
    /// </summary>
    Task<string> ApplyAsync(string locationUId, AppsAndBooksNotification notification, CancellationToken cancellationToken);
}
