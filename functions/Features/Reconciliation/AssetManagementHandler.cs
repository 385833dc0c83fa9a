using System.Text.Json;
using ManagedDistribution.Features.AppleNotifications;
using ManagedDistribution.Features.AppsAndBooks.Models;
using ManagedDistribution.Features.Catalog;
using ManagedDistribution.Features.Licenses;

namespace ManagedDistribution.Features.Reconciliation;

/// <summary>
/// ASSET_MANAGEMENT (contracts/apple.md §1.12): the outcome of an associate event, in one or more
/// slices. Targets of ours still <c>reserved</c> are settled: SUCCESS commits them (step key =
/// the event id, the one the assignment code uses, so whichever comes second is a no-op), FAILURE
/// releases them (event id + <c>:failed</c>); their target rows follow. A later slice of an event
/// whose step is already recorded uses event id + <c>:</c> + notification id, so it still counts.
/// Rows already committed or released (the assignment flow was first) are left alone: nothing is
/// counted twice. Disassociate/revoke outcomes and events we do not know are recorded as applied.
/// Reservations made with <see cref="ReservationRequest.SettledByOwner"/> (device-group
/// assignments) are left to their owner: its workflow is durable (a queue message carries it until
/// it finishes; a small inline flow that dies is settled by reconciliation's stale-reservation
/// pass) and settles each batch under its own step key
/// (<c>batch-n</c>, stable across its retries, unlike an event id), so settling them here too
/// could count a batch twice when the notification lands between Apple's event and the batch's commit.
/// </summary>
internal sealed class AssetManagementHandler(LicenseLedger ledger, LedgerPartitionScan scan, ILogger<AssetManagementHandler> logger)
    : IAppleNotificationHandler
{
    public string NotificationType => AppsAndBooksNotification.AssetManagement;

    public async Task<string> ApplyAsync(string locationUId, AppsAndBooksNotification notification, CancellationToken cancellationToken)
    {
        AssetManagementNotification? body;
        try { body = notification.Notification.Deserialize(AppsAndBooksJson.Default.AssetManagementNotification); }
        catch (JsonException) { body = null; }
        if (body is not { Type: "ASSOCIATE", EventId.Length: > 0 })
        {
            logger.LogInformation("ASSET_MANAGEMENT {NotificationId} ({Type}) needs nothing from the ledger", notification.NotificationId, body?.Type);
            return NotificationInbox.Applied;
        }
        var success = body.Result == "SUCCESS";
        var settled = 0;
        foreach (var asset in body.Assignments.GroupBy(a => a.Asset))
        {
            var contentId = ContentRecord.VppId(locationUId, asset.Key.AdamId, asset.Key.PricingParam);
            List<(string Kind, string Id)> targets = [.. asset.Select(Target).OfType<(string, string)>().Distinct()];
            var ours = await scan.GetAsync(contentId, targets, cancellationToken);
            foreach (var reservation in ours.Values.Where(o => o.State == LicenseState.Reserved).GroupBy(o => (o.ReservationKey, o.Owner)))
            {
                var record = await ledger.GetReservationAsync(contentId, reservation.Key.ReservationKey, cancellationToken);
                if (record is { SettledByOwner: true }) continue;
                var moved = await SettleAsync(contentId, reservation.Key.ReservationKey, record, reservation.Count(), success, body.EventId, notification.NotificationId, cancellationToken);
                if (moved is null) return NotificationInbox.Received; // contended: Apple delivers it again
                await ledger.SetTargetStatesAsync(contentId, reservation.Select(t => t.ToLicenseTarget()),
                    success ? LicenseState.Committed : LicenseState.Released, reservation.Key.Owner, reservation.Key.ReservationKey, cancellationToken);
                settled += reservation.Count();
            }
        }
        logger.LogInformation("ASSET_MANAGEMENT {NotificationId}: event {EventId} {Result}, {Settled} of {Listed} targets settled{Unknown}",
            notification.NotificationId, body.EventId, body.Result, settled, body.Assignments.Count,
            settled == 0 ? " (nothing of ours was waiting on it)" : "");
        return NotificationInbox.Applied;
    }

    async Task<int?> SettleAsync(string contentId, string reservationKey, ReservationRecord? record, int count, bool success, string eventId, string notificationId,
        CancellationToken cancellationToken)
    {
        if (record is null) return 0;
        var step = success ? eventId : eventId + ":failed";
        if (record.Steps.Contains(step, StringComparer.Ordinal)) step += ":" + notificationId;
        var result = success
            ? await ledger.CommitAsync(contentId, reservationKey, count, step, cancellationToken)
            : await ledger.ReleaseAsync(contentId, reservationKey, count, step, cancellationToken);
        return result.Outcome == SettleOutcome.Contended ? null : result.Moved;
    }

    static (string Kind, string Id)? Target(Assignment a) =>
        a.SerialNumber is { Length: > 0 } serial ? (TargetKinds.Device, serial)
        : a.ClientUserId is { Length: > 0 } user ? (TargetKinds.User, user)
        : null;
}
