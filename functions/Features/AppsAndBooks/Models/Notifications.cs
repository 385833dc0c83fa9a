using System.Text.Json;

namespace ManagedDistribution.Features.AppsAndBooks.Models;

/// <summary>
/// What Apple POSTs to our <c>notificationUrl</c> (with <c>Authorization: Bearer
/// &lt;notificationAuthToken&gt;</c>). Delivery is best effort and may repeat: dedupe on
/// <see cref="NotificationId"/>. Read the body with <see cref="AppsAndBooksJson"/>.
/// See https://developer.apple.com/documentation/devicemanagement/subscribing-to-notifications
/// </summary>
public sealed record AppsAndBooksNotification
{
    public const string TestNotification = "TEST_NOTIFICATION";
    public const string AssetCount = "ASSET_COUNT";
    public const string AssetManagement = "ASSET_MANAGEMENT";
    public const string UserManagement = "USER_MANAGEMENT";
    public const string UserAssociated = "USER_ASSOCIATED";

    /// <summary>Every type we subscribe to (TEST_NOTIFICATION is always sent).</summary>
    public static IReadOnlyList<string> AllTypes { get; } = [AssetManagement, UserManagement, UserAssociated, AssetCount];

    public string NotificationId { get => field ?? ""; init; }
    public string NotificationType { get => field ?? ""; init; }
    public string? UId { get; init; }
    public JsonElement Notification { get; init; }
}

/// <summary>ASSET_MANAGEMENT: a slice of an associate/disassociate/revoke event's outcome.</summary>
public sealed record AssetManagementNotification
{
    public IReadOnlyList<Assignment> Assignments { get => field ?? []; init; }
    public string EventId { get => field ?? ""; init; }

    /// <summary><c>SUCCESS</c> or <c>FAILURE</c>; on failure <see cref="Error"/> covers all listed assignments.</summary>
    public string Result { get => field ?? ""; init; }

    /// <summary><c>ASSOCIATE</c>, <c>DISASSOCIATE</c> or <c>REVOKE</c>.</summary>
    public string Type { get => field ?? ""; init; }
    public AppsAndBooksError? Error { get; init; }
}

/// <summary>USER_MANAGEMENT: outcome of a create/update/retire event (carries invite codes on CREATE).</summary>
public sealed record UserManagementNotification
{
    public string EventId { get => field ?? ""; init; }
    public string Result { get => field ?? ""; init; }
    public string Type { get => field ?? ""; init; }
    public IReadOnlyList<AppsAndBooksUser> Users { get => field ?? []; init; }
    public AppsAndBooksError? Error { get; init; }
}

/// <summary>USER_ASSOCIATED: users who accepted the invitation (status Associated, with idHash).</summary>
public sealed record UserAssociatedNotification
{
    public IReadOnlyList<AppsAndBooksUser> AssociatedUsers { get => field ?? []; init; }
}

/// <summary>ASSET_COUNT: licenses bought (+) or refunded/transferred out (−) outside our control.</summary>
public sealed record AssetCountNotification(string AdamId, string PricingParam, int CountDelta);
