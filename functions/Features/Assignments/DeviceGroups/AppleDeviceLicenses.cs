using System.Globalization;
using ManagedDistribution.Features.AppsAndBooks;
using ManagedDistribution.Features.AppsAndBooks.Models;
using ManagedDistribution.Features.LocationTokens;

namespace ManagedDistribution.Features.Assignments.DeviceGroups;

/// <summary>What Apple did with one batch of serials: the event ids, and each refused serial with Apple's error.</summary>
public sealed record AppleBatchOutcome(IReadOnlyList<string> EventIds, IReadOnlyDictionary<string, string> Failed)
{
    /// <summary>A stable name of the events, for step keys of settlements that follow them.</summary>
    public string EventKey => EventIds.Count == 1 ? EventIds[0] : string.Join('+', EventIds);
}

/// <summary>
/// Associates or disassociates one asset with a batch of serial numbers and waits for Apple's
/// events. The caller sizes batches to Service Config's <c>maxSerialNumbers</c>
/// (<see cref="MaxSerialsAsync"/>), so one batch is one request and one event; the client still
/// splits if the limit shrank meanwhile.
/// </summary>
public sealed class AppleDeviceLicenses(AppsAndBooksClient apple, LocationTokenStore tokens)
{
    public async Task<int> MaxSerialsAsync(CancellationToken cancellationToken) =>
        Math.Max(1, (await apple.GetLimitsAsync(cancellationToken)).MaxSerialNumbers);

    public Task<AppleBatchOutcome> ManageAsync(LocationTokenRecord tokenRecord, AssetKey asset, IReadOnlyList<string> serials, bool associate,
        CancellationToken cancellationToken) => ManageAsync(tokenRecord, asset, serials, associate, null, cancellationToken);

    /// <param name="phases">Laps <c>appleCall</c> (the request) and <c>appleEvent</c> (waiting for the event), when given.</param>
    public async Task<AppleBatchOutcome> ManageAsync(LocationTokenRecord tokenRecord, AssetKey asset, IReadOnlyList<string> serials, bool associate,
        PhaseClock? phases, CancellationToken cancellationToken)
    {
        var token = tokens.TokenOf(tokenRecord);
        IReadOnlyList<string> events;
        try
        {
            events = associate
                ? await apple.AssociateAsync(token, [asset], null, serials, cancellationToken)
                : await apple.DisassociateAsync(token, [asset], null, serials, cancellationToken);
        }
        catch (AppsAndBooksException e)
        {
            var reason = $"Apple error {e.ErrorNumber?.ToString(CultureInfo.InvariantCulture) ?? "(none)"} (HTTP {e.Status}): {e.Message}";
            return new(e.AcceptedEventIds, serials.ToDictionary(s => s, _ => reason, StringComparer.Ordinal));
        }
        phases?.Lap("appleCall");
        var statuses = await Task.WhenAll(events.Select(id => apple.WaitForEventAsync(token, id, cancellationToken)));
        phases?.Lap("appleEvent");
        var failed = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var status in statuses)
        {
            var identifiers = status.FailedIdentifiers();
            foreach (var failure in identifiers)
            {
                // 9616 on an associate: the serial has the license already (a batch redone after a crash, or another group's); not a failure.
                if (associate && failure.ErrorNumber == AppsAndBooksException.AlreadyAssignedError) continue;
                var reason = $"Apple error {failure.ErrorNumber}: {failure.ErrorMessage}";
                // A failure naming no serial covers the whole request; with one event that is the whole batch.
                if (failure.SerialNumber is { } serial) failed[serial] = reason;
                else foreach (var s in serials) failed.TryAdd(s, reason);
            }
            if (status.EventStatusValue == EventStatus.Failed && identifiers.Count == 0)
                foreach (var s in serials) failed.TryAdd(s, "Apple reported the event as failed.");
        }
        return new(events, failed);
    }
}
