using ManagedDistribution.Features.AppsAndBooks;
using ManagedDistribution.Features.AppsAndBooks.Models;
using ManagedDistribution.Features.Assignments.Members;
using ManagedDistribution.Features.Licenses;
using ManagedDistribution.Features.LocationTokens;
using ManagedDistribution.Platform.Http;

namespace ManagedDistribution.Features.Assignments.Users;

/// <summary>What became of one user's license: licensed, pending (no-license-left) or failed (apple-refused).</summary>
public sealed record UserLicense(string UserId, string State, string? Reason, string? Detail);

/// <summary>The users' outcomes; <c>Outcome</c> is the ledger's answer (null when nobody needed a new license).</summary>
public sealed record LicenseRun(IReadOnlyDictionary<string, UserLicense> Users, ReservationOutcome? Outcome, string? ReservationKey, Refusal? Refusal);

/// <summary>
/// User licenses (R5, R8, R17) for enrolled users, keyed by <c>clientUserId</c> = our user id:
/// users whose ledger target row (<c>u|{clientUserId}</c>) is already reserved or committed keep it (one license per user and
/// item); the others get ONE reservation for the whole need (targets in the order given, i.e.
/// enrolment order), the granted ones are associated at Apple in chunks of the live
/// <c>maxClientUserIds</c>, and each event commits its successes (step = event id) and releases
/// its failures (step = event id + ":failed"). The rest wait (pending / no-license-left).
/// </summary>
public sealed class UserLicenser(LicenseLedger ledger, LocationTokenStore tokens, AppsAndBooksClient apple, TimeProvider time,
    ILogger<UserLicenser> logger)
{
    public async Task<LicenseRun> LicenseAsync(UserContent content, string owner, IReadOnlyList<string> orderedUserIds, ReservationMode mode,
        CancellationToken cancellationToken)
    {
        var results = new Dictionary<string, UserLicense>(StringComparer.Ordinal);
        var needing = new List<string>();
        foreach (var userId in orderedUserIds.Distinct(StringComparer.Ordinal))
        {
            var held = await ledger.GetTargetAsync(content.Id, LicenseTarget.User(userId), cancellationToken);
            if (held is { State: LicenseState.Committed or LicenseState.Reserved })
                results[userId] = new(userId, MemberStates.Licensed, null, held.Owner == owner ? null : $"The user already holds this item's license (through {held.Owner}).");
            else needing.Add(userId);
        }
        if (needing.Count == 0) return new(results, null, null, null);

        var key = $"{owner}:{time.GetUtcNow().UtcTicks}:{Guid.NewGuid().ToString("N")[..6]}";
        var targets = needing.Select(LicenseTarget.User).ToList();
        var reservation = await ledger.ReserveAsync(new ReservationRequest(content.Id, needing.Count, owner, key, mode, targets), cancellationToken);
        switch (reservation.Outcome)
        {
            case ReservationOutcome.UnknownItem:
                return new(results, reservation.Outcome, key, new(ProblemCodes.Conflict, "The purchased item has no license ledger yet; sync the catalogue (POST /api/content/sync)."));
            case ReservationOutcome.Contended:
                return new(results, reservation.Outcome, key, new(ProblemCodes.Unavailable, "Too many concurrent assignments of this item; try again."));
        }
        var granted = needing.Take(reservation.Granted).ToList();
        foreach (var userId in needing.Skip(reservation.Granted))
            results[userId] = new(userId, MemberStates.Pending, MemberReasons.NoLicense, "No license left: waiting for one to free up (first come, first served).");
        if (granted.Count > 0)
        {
            try
            {
                await AssociateAsync(content, owner, key, granted, results, cancellationToken);
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                // Neither refused nor confirmed: give back what is still reserved, let the caller retry.
                await ledger.ReleaseAsync(content.Id, key, cancellationToken: CancellationToken.None);
                throw;
            }
        }
        return new(results, reservation.Outcome, key, null);
    }

    async Task AssociateAsync(UserContent content, string owner, string key, List<string> granted, Dictionary<string, UserLicense> results,
        CancellationToken cancellationToken)
    {
        var token = tokens.TokenOf(content.Token!);
        AssetKey[] assets = [new(content.Content.GetString("AdamId")!, content.Content.GetString("PricingParam") ?? AssetKey.Standard)];
        var limits = await apple.GetLimitsAsync(cancellationToken);
        var chunkNumber = 0;
        foreach (var chunk in granted.Chunk(Math.Max(1, limits.MaxClientUserIds)))
        {
            chunkNumber++;
            var (stepKey, failures) = await AssociateChunkAsync(token, assets, chunk, chunkNumber, cancellationToken);
            var ok = chunk.Where(u => !failures.ContainsKey(u)).ToList();
            await ledger.CommitAsync(content.Id, key, ok.Count, stepKey, cancellationToken);
            await ledger.ReleaseAsync(content.Id, key, failures.Count, stepKey + ":failed", cancellationToken);
            await ledger.SetTargetStatesAsync(content.Id, ok.Select(LicenseTarget.User), LicenseState.Committed, owner, key, cancellationToken);
            await ledger.SetTargetStatesAsync(content.Id, failures.Keys.Select(LicenseTarget.User), LicenseState.Released, owner, key, cancellationToken);
            foreach (var userId in ok) results[userId] = new(userId, MemberStates.Licensed, null, null);
            foreach (var (userId, reason) in failures) results[userId] = new(userId, MemberStates.Failed, MemberReasons.AppleRefused, reason);
            if (failures.Count > 0)
                logger.LogWarning("Apple refused {ContentId} for {FailedCount} of {ChunkCount} users", content.Id, failures.Count, chunk.Length);
        }
    }

    /// <summary>One associate request (≤ maxClientUserIds users): its step key (the event id) and the users Apple refused, with why.</summary>
    async Task<(string StepKey, Dictionary<string, string> Failures)> AssociateChunkAsync(LocationToken token, AssetKey[] assets, string[] chunk,
        int chunkNumber, CancellationToken cancellationToken)
    {
        var failures = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            var events = await apple.AssociateAsync(token, assets, chunk, null, cancellationToken);
            foreach (var eventId in events)
            {
                var status = await apple.WaitForEventAsync(token, eventId, cancellationToken);
                var named = status.FailedIdentifiers().Where(f => f.ClientUserId is not null).ToList();
                foreach (var failure in named)
                    failures.TryAdd(failure.ClientUserId!, $"Apple error {failure.ErrorNumber}: {failure.ErrorMessage}");
                if (status.EventStatusValue == EventStatus.Failed && named.Count == 0)
                    foreach (var userId in chunk) failures.TryAdd(userId, "Apple reported the event as failed.");
            }
            return (events.Count > 0 ? string.Join('+', events) : $"chunk{chunkNumber}", failures);
        }
        catch (AppsAndBooksException e)
        {
            var reason = $"Apple error {e.ErrorNumber?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "(none)"} (HTTP {e.Status}): {e.Message}";
            foreach (var userId in chunk) failures[userId] = reason;
            return ($"chunk{chunkNumber}:refused", failures);
        }
    }
}
