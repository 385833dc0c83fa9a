using ManagedDistribution.Features.AppsAndBooks;
using ManagedDistribution.Features.AppsAndBooks.Models;
using ManagedDistribution.Features.Licenses;
using ManagedDistribution.Features.LocationTokens;
using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Assignments.Users;

/// <summary>
/// Takes user licenses of a purchased app back: disassociates at Apple (chunks of the live
/// <c>maxClientUserIds</c>), then returns each license to the reservation that holds it (read from
/// the user's ledger target row; step key = Apple's event id), the row released by the same step
/// (only rows still as read, <see cref="LicenseLedger.ReleaseTargetsOnceAsync"/>), and serves the
/// item's waiting list. Books are
/// never revoked (R2, 9706): callers do not pass them here.
/// </summary>
public sealed class UserRevoker(LicenseLedger ledger, LocationTokenStore tokens, AppsAndBooksClient apple, Waiting.WaitingListServer waiting,
    ILogger<UserRevoker> logger)
{
    /// <summary>Revokes the users' licenses of the item; returns the users Apple refused, with why (their licenses stay).</summary>
    public async Task<IReadOnlyDictionary<string, string>> RevokeAsync(TableEntity assignment, IReadOnlyCollection<string> userIds,
        CancellationToken cancellationToken)
    {
        var failures = new Dictionary<string, string>(StringComparer.Ordinal);
        if (userIds.Count == 0) return failures;
        var record = await tokens.GetAsync(assignment.GetString("LocationUId") ?? "", cancellationToken);
        if (UserContentReader.TokenRefusal(record) is { } refusal)
        {
            foreach (var userId in userIds) failures[userId] = refusal.Reason;
            return failures;
        }
        var token = tokens.TokenOf(record!);
        AssetKey[] assets = [new(assignment.GetString("AdamId")!, assignment.GetString("PricingParam") ?? AssetKey.Standard)];
        var limits = await apple.GetLimitsAsync(cancellationToken);
        foreach (var chunk in userIds.Distinct(StringComparer.Ordinal).Chunk(Math.Max(1, limits.MaxClientUserIds)))
        {
            var (stepKey, refused) = await DisassociateAsync(token, assets, chunk, cancellationToken);
            foreach (var (userId, reason) in refused) failures[userId] = reason;
            await ReturnAsync(assignment.RowKey, chunk.Where(u => !refused.ContainsKey(u)), stepKey, cancellationToken);
        }
        return failures;
    }

    /// <summary>
    /// Returns licenses Apple already released (a retired user) without calling Apple: each to its
    /// reservation, step key <paramref name="stepKey"/>, rows released. Replays are no-ops.
    /// </summary>
    public Task ReturnAsync(string contentId, IEnumerable<string> userIds, string stepKey, CancellationToken cancellationToken) =>
        ReturnHeldAsync(contentId, userIds, stepKey, cancellationToken);

    async Task ReturnHeldAsync(string contentId, IEnumerable<string> userIds, string stepKey, CancellationToken cancellationToken)
    {
        var held = new List<LicenseTargetRow>();
        foreach (var userId in userIds)
            if (await ledger.GetTargetAsync(contentId, LicenseTarget.User(userId), cancellationToken) is { } row
                && (row.State == LicenseState.Committed || row.ReturnStep == stepKey))
                held.Add(row);
        // Only the rows this step moved (by ETag): a revoker racing this one for the same users (a
        // group's reservation holds many) returns the others, so no license goes back twice.
        var moved = await ledger.ReleaseTargetsOnceAsync(contentId, held, stepKey, cancellationToken);
        foreach (var group in moved.GroupBy(r => r.ReservationKey))
            await ledger.ReturnAsync(contentId, group.Key, group.Count(), stepKey, cancellationToken);
        // Licenses came back: whoever waits for this item (R17) is next.
        if (moved.Count > 0) await waiting.ServeAsync(contentId, cancellationToken);
    }

    async Task<(string StepKey, Dictionary<string, string> Refused)> DisassociateAsync(LocationToken token, AssetKey[] assets, string[] chunk,
        CancellationToken cancellationToken)
    {
        var refused = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            var events = await apple.DisassociateAsync(token, assets, chunk, null, cancellationToken);
            foreach (var eventId in events)
            {
                var status = await apple.WaitForEventAsync(token, eventId, cancellationToken);
                foreach (var failure in status.FailedIdentifiers().Where(f => f.ClientUserId is not null))
                    refused.TryAdd(failure.ClientUserId!, $"Apple error {failure.ErrorNumber}: {failure.ErrorMessage}");
            }
            return (string.Join('+', events), refused);
        }
        catch (AppsAndBooksException e)
        {
            logger.LogWarning("Apple refused to disassociate {Count} users: {ErrorNumber}", chunk.Length, e.ErrorNumber);
            foreach (var userId in chunk) refused[userId] = $"Apple error {e.ErrorNumber} (HTTP {e.Status}): {e.Message}";
            return ("", refused);
        }
    }
}
