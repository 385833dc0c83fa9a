using System.Text.Json;
using ManagedDistribution.Features.AppleNotifications;
using ManagedDistribution.Features.AppsAndBooks.Models;

namespace ManagedDistribution.Features.Invitations.Acceptance;

/// <summary>USER_ASSOCIATED: the users accepted their invitation (or a Managed Apple Account was linked) → enrolled (R14).</summary>
public sealed class UserAssociatedHandler(EnrolmentUpdates updates) : IAppleNotificationHandler
{
    public string NotificationType => AppsAndBooksNotification.UserAssociated;

    public async Task<string> ApplyAsync(string locationUId, AppsAndBooksNotification notification, CancellationToken cancellationToken)
    {
        var body = notification.Notification.ValueKind == JsonValueKind.Object
            ? notification.Notification.Deserialize(AppsAndBooksJson.Default.UserAssociatedNotification) : null;
        // The type itself says they are associated, whatever each entry's status field says.
        var users = (body?.AssociatedUsers ?? []).Select(u => u with { Status = AppsAndBooksUser.Associated });
        await updates.ApplyAsync(locationUId, users, cancellationToken);
        return NotificationInbox.Applied;
    }
}

/// <summary>
/// USER_MANAGEMENT: the outcome of our create/update/retire calls. CREATE/UPDATE carry invite
/// codes (or Associated for a Managed Apple Account), RETIRE the retired users; on a FAILURE the
/// users listed are still applied (Apple lists those it did handle).
/// </summary>
public sealed class UserManagementHandler(EnrolmentUpdates updates) : IAppleNotificationHandler
{
    public string NotificationType => AppsAndBooksNotification.UserManagement;

    public async Task<string> ApplyAsync(string locationUId, AppsAndBooksNotification notification, CancellationToken cancellationToken)
    {
        var body = notification.Notification.ValueKind == JsonValueKind.Object
            ? notification.Notification.Deserialize(AppsAndBooksJson.Default.UserManagementNotification) : null;
        if (body is null) return NotificationInbox.Applied;
        var users = body.Type == "RETIRE" && body.Result == "SUCCESS"
            ? body.Users.Select(u => u with { Status = AppsAndBooksUser.Retired })
            : body.Users;
        await updates.ApplyAsync(locationUId, users, cancellationToken);
        return NotificationInbox.Applied;
    }
}

/// <summary>The reconciliation's user sync: Get Users pages applied like notifications.</summary>
public sealed class AppleUserSync(EnrolmentUpdates updates) : IAppleUserSync
{
    public Task<int> ApplyAsync(string locationUId, IReadOnlyList<AppsAndBooksUser> users, CancellationToken cancellationToken) =>
        updates.ApplyAsync(locationUId, users, cancellationToken);
}
