using ManagedDistribution.Features.AppsAndBooks;
using ManagedDistribution.Features.AppsAndBooks.Models;
using ManagedDistribution.Features.Licenses;
using ManagedDistribution.Features.LocationTokens;
using ManagedDistribution.Platform.Http;
using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Assignments;

public sealed partial class DeviceAssignments
{
    /// <summary>
    /// R5 for one device: nothing when the device already holds the item's license through another
    /// assignment (licensed, noted); else reserve one license (all or nothing), associate at Apple
    /// and wait for the event, then write the target row and commit (state licensed) or release
    /// (state failed, row saved, 424). Exhausted writes nothing: the ledger's waiting entry is removed
    /// again, since no assignment waits on it.
    /// </summary>
    async Task<Refusal?> LicenseAsync(Plan plan, TableEntity row, CancellationToken cancellationToken)
    {
        var contentId = plan.Content.RowKey;
        var key = row.GetString("ReservationKey")!;
        var target = LicenseTarget.Device(plan.Device.SerialNumber!);
        // One license per device (R5): a device holding the item's license through a device group keeps that one.
        if (await HolderAsync(plan, cancellationToken) is { } current)
        {
            MarkHeldElsewhere(row, current);
            return null;
        }
        var reservation = await ledger.ReserveAsync(new ReservationRequest(contentId, 1, plan.AssignmentId, key), cancellationToken);
        switch (reservation.Outcome)
        {
            case ReservationOutcome.Exhausted:
                if (reservation.Record is { } record)
                    await ledger.RemoveWaitingAsync(contentId, new WaitingEntry(key, plan.AssignmentId, 1, record.RequestedAt), cancellationToken);
                return Exhausted(await ledger.GetAsync(contentId, cancellationToken) ?? plan.Ledger!);
            case ReservationOutcome.UnknownItem:
                return new(ProblemCodes.Conflict, "The purchased item has no license ledger yet; sync the catalogue (POST /api/content/sync).");
            case ReservationOutcome.Contended:
                return new(ProblemCodes.Unavailable, "Too many concurrent assignments of this item; try again.");
        }
        string? appleFailure;
        try
        {
            appleFailure = await AssociateAsync(plan.Token!, row, target.Id, cancellationToken);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // Neither refused nor confirmed (e.g. our storage failed): give the license back, let the caller retry.
            await ledger.ReleaseAsync(contentId, key, cancellationToken: CancellationToken.None);
            throw;
        }
        if (appleFailure is not null)
        {
            await ledger.ReleaseAsync(contentId, key, cancellationToken: cancellationToken);
            row["State"] = AssignmentStates.Failed;
            row["Reason"] = appleFailure;
            await store.SaveAsync(row, cancellationToken);
            logger.LogWarning("Apple refused {ContentId} for device {DeviceId}: {Reason}", contentId, plan.Device.Id, appleFailure);
            return new(AppleRefused, appleFailure);
        }
        // The row before the count: a group that licensed the device meanwhile keeps it, and this license goes back.
        if ((await ledger.ClaimTargetsAsync(contentId, [target], plan.AssignmentId, key, cancellationToken)).TryGetValue(target, out var holder))
        {
            await ledger.ReleaseAsync(contentId, key, cancellationToken: cancellationToken);
            MarkHeldElsewhere(row, holder);
            return null;
        }
        await ledger.CommitAsync(contentId, key, cancellationToken: cancellationToken);
        row["State"] = AssignmentStates.Licensed;
        row["LicenseConsumed"] = true;
        return null;
    }

    /// <summary>The other assignment whose license the device holds for the item, or null.</summary>
    async Task<string?> HolderAsync(Plan plan, CancellationToken cancellationToken) =>
        plan.Device.SerialNumber is { } serial
        && await ledger.GetTargetAsync(plan.Content.RowKey, LicenseTarget.Device(serial), cancellationToken) is
            { State: LicenseState.Reserved or LicenseState.Committed } row && row.Owner != plan.AssignmentId
            ? row.Owner : null;

    /// <summary>Licensed through another assignment's license (no second one used); the install is still queued.</summary>
    static void MarkHeldElsewhere(TableEntity row, string owner)
    {
        row["State"] = AssignmentStates.Licensed;
        row["Note"] = $"The device holds this item's license through {owner}; no second license was used.";
    }

    /// <summary>Associates (or disassociates) the asset with one serial and waits for Apple's event; Apple's reason on failure, else null.</summary>
    async Task<string?> AssociateAsync(LocationTokenRecord tokenRecord, TableEntity row, string serial, CancellationToken cancellationToken,
        bool disassociate = false)
    {
        var token = tokens.TokenOf(tokenRecord);
        AssetKey[] assets = [new(row.GetString("AdamId")!, row.GetString("PricingParam") ?? AssetKey.Standard)];
        try
        {
            var events = disassociate
                ? await apple.DisassociateAsync(token, assets, null, [serial], cancellationToken)
                : await apple.AssociateAsync(token, assets, null, [serial], cancellationToken);
            foreach (var eventId in events)
            {
                var status = await apple.WaitForEventAsync(token, eventId, cancellationToken);
                // 9616 on an associate: the serial has the license already (a retry); not a failure.
                var failed = status.FailedIdentifiers().FirstOrDefault(f => (f.SerialNumber is null || f.SerialNumber == serial)
                    && (disassociate || f.ErrorNumber != AppsAndBooksException.AlreadyAssignedError));
                if (failed is not null) return $"Apple error {failed.ErrorNumber}: {failed.ErrorMessage}";
                if (status.EventStatusValue == EventStatus.Failed) return "Apple reported the event as failed.";
            }
            return null;
        }
        catch (AppsAndBooksException e)
        {
            return $"Apple error {e.ErrorNumber?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "(none)"} (HTTP {e.Status}): {e.Message}";
        }
    }
}
