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
/// A user whose row is still <c>reserved</c> for this same owner was left half done (the process
/// died between the reservation and Apple's event, or Apple failed and the reservation was given
/// back): while that reservation still holds a license for them, they are associated and committed
/// under it (Apple's associate is idempotent, the ledger's commits are capped at what is pending, so
/// a run racing the original one counts nothing twice); once it holds none, they need a new one.
/// </summary>
public sealed class UserLicenser(LicenseLedger ledger, LocationTokenStore tokens, AppsAndBooksClient apple, TimeProvider time,
    ILogger<UserLicenser> logger)
{
    public async Task<LicenseRun> LicenseAsync(UserContent content, string owner, IReadOnlyList<string> orderedUserIds, ReservationMode mode,
        CancellationToken cancellationToken)
    {
        var results = new Dictionary<string, UserLicense>(StringComparer.Ordinal);
        var needing = new List<string>();
        var leftHalfDone = new Dictionary<string, List<string>>(StringComparer.Ordinal); // reservation key → users
        foreach (var userId in orderedUserIds.Distinct(StringComparer.Ordinal))
        {
            var held = await ledger.GetTargetAsync(content.Id, LicenseTarget.User(userId), cancellationToken);
            if (held is { State: LicenseState.Reserved } && held.Owner == owner)
                (leftHalfDone.TryGetValue(held.ReservationKey, out var users) ? users : leftHalfDone[held.ReservationKey] = []).Add(userId);
            else if (held is { State: LicenseState.Committed or LicenseState.Reserved })
                results[userId] = new(userId, MemberStates.Licensed, null, held.Owner == owner ? null : $"The user already holds this item's license (through {held.Owner}).");
            else needing.Add(userId);
        }
        foreach (var (heldKey, users) in leftHalfDone)
            needing.AddRange(await ResumeAsync(content, owner, heldKey, users, results, cancellationToken));
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
        if (granted.Count > 0) await AssociateOrGiveBackAsync(content, owner, key, granted, results, cancellationToken);
        return new(results, reservation.Outcome, key, null);
    }

    /// <summary>
    /// Users whose rows are still reserved for <paramref name="owner"/> under <paramref name="heldKey"/>:
    /// as many as that reservation still holds licenses for are associated under it; the others are
    /// returned, to be reserved anew.
    /// </summary>
    async Task<IEnumerable<string>> ResumeAsync(UserContent content, string owner, string heldKey, List<string> users,
        Dictionary<string, UserLicense> results, CancellationToken cancellationToken)
    {
        var pending = (await ledger.GetReservationAsync(content.Id, heldKey, cancellationToken))?.Pending ?? 0;
        var resumed = users.Take(Math.Max(0, pending)).ToList();
        if (resumed.Count > 0)
        {
            logger.LogWarning("Resuming {Count} users of {Owner} left reserved under {ReservationKey} without Apple's answer", resumed.Count, owner, heldKey);
            await AssociateOrGiveBackAsync(content, owner, heldKey, resumed, results, cancellationToken);
        }
        return users.Skip(resumed.Count);
    }

    async Task AssociateOrGiveBackAsync(UserContent content, string owner, string key, List<string> granted, Dictionary<string, UserLicense> results,
        CancellationToken cancellationToken)
    {
        try
        {
            await AssociateAsync(content, owner, key, granted, results, cancellationToken);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // Neither refused nor confirmed: give back what is still reserved, rows too (a reserved row
            // would read as licensed), and let the caller retry.
            await ledger.ReleaseAsync(content.Id, key, cancellationToken: CancellationToken.None);
            var unsettled = granted.Where(u => !results.ContainsKey(u)).Select(LicenseTarget.User).ToList();
            if (unsettled.Count > 0) await ledger.SetTargetStatesAsync(content.Id, unsettled, LicenseState.Released, owner, key, CancellationToken.None);
            throw;
        }
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
                // 9616 "license already assigned": the user has it (an associate resumed after a crash); not a failure.
                foreach (var failure in named.Where(f => f.ErrorNumber != AppsAndBooksException.AlreadyAssignedError))
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
