using ManagedDistribution.Features.Licenses;
using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.AppleNotifications;

/// <summary>
/// Every notification Apple delivered (table <c>applenotifications</c>, partition = location
/// <c>uId</c>, row = <c>notificationId</c>): the dedupe record and, for the types the later
/// assignment/reconciliation work applies, the body to apply (<c>State</c> = pending). A row is
/// added before the notification is applied and marked applied after, so a repeated delivery of
/// an applied one is a no-op, and one whose first try failed half-way is applied again (the
/// appliers are idempotent themselves).
/// </summary>
public sealed class NotificationInbox(TableServiceClient service, TimeProvider time)
{
    public const string TableName = "applenotifications";
    public const string Received = "received";
    public const string Applied = "applied";
    public const string Pending = "pending";

    readonly TableOnFirstUse inbox = new(service, TableName);

    /// <summary>Records the notification; returns the state of an earlier delivery (null: first time).</summary>
    public async Task<string?> RecordAsync(string uId, string notificationId, string type, string body, CancellationToken cancellationToken)
    {
        var table = await inbox.GetAsync(cancellationToken);
        var row = new TableEntity(LicenseKeys.SafeKey(uId), LicenseKeys.SafeKey(notificationId))
        {
            ["NotificationId"] = notificationId, ["Type"] = type, ["State"] = Received, ["ReceivedAt"] = time.GetUtcNow(),
            // Table strings hold 32K UTF-16 characters; Apple's notifications are far smaller.
            ["Body"] = body.Length > 30_000 ? body[..30_000] : body,
        };
        try
        {
            await table.AddEntityAsync(row, cancellationToken);
            return null;
        }
        catch (StorageRequestFailedException e) when (e.IsConflict)
        {
            var earlier = await table.GetEntityAsync(row.PartitionKey, row.RowKey, ["State"], cancellationToken);
            return earlier?.GetString("State") ?? Received;
        }
    }

    public async Task MarkAsync(string uId, string notificationId, string state, CancellationToken cancellationToken)
    {
        var table = await inbox.GetAsync(cancellationToken);
        await table.UpsertEntityAsync(new TableEntity(LicenseKeys.SafeKey(uId), LicenseKeys.SafeKey(notificationId))
        {
            ["State"] = state, ["HandledAt"] = time.GetUtcNow(),
        }, TableUpdateMode.Merge, cancellationToken);
    }

    /// <summary>Notifications recorded for later processing (ASSET_MANAGEMENT, USER_MANAGEMENT, USER_ASSOCIATED), oldest first per location.</summary>
    public async IAsyncEnumerable<TableEntity> PendingAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var table = await inbox.GetAsync(cancellationToken);
        await foreach (var row in table.QueryAsync(TableFilter.Property("State").Eq(Pending), cancellationToken: cancellationToken))
            yield return row;
    }
}
