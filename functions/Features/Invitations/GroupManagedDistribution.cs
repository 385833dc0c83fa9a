using ManagedDistribution.Features.Directory;
using ManagedDistribution.Features.Invitations.Acceptance;

namespace ManagedDistribution.Features.Invitations;

/// <summary>Body of <c>PUT /api/user-groups/{id}/managed-distribution</c>' answer: what changed for the members.</summary>
/// <param name="Changed">Members whose state changed (registered, enrolled at once, or retired).</param>
/// <param name="Unchanged">Members already in the asked state.</param>
/// <param name="NotRegistered">Members Apple did not list after the create calls (try again).</param>
public sealed record GroupManagedDistributionResult(string GroupId, bool Enabled, int Members, int Changed, int Unchanged, int Enrolled,
    IReadOnlyList<string> NotRegistered, IReadOnlyList<AffectedLicense> AffectedLicenses);

/// <summary>
/// Enables or disables managed distribution for every member of a user group (R11), in bulk:
/// states read per bucket, Apple called in chunks of its live <c>maxUsers</c> limit with every
/// event followed and one Get Users listing for the invite codes, states written in bucket
/// transactions. Runs within the request: its time is Apple's (one call per 100 users plus event
/// polling), and a repeat after a failure only does the members still left, so a retry is the
/// recovery. Disabling members with user licenses needs <c>confirm</c> (see the endpoint).
/// </summary>
public sealed class GroupManagedDistribution(GroupStore groups, MembershipStore memberships, UserStore users, ManagedDistributionStore states,
    AppleUserRegistration registration, AffectedLicenses licenses, EnrolmentUpdates enrolments, ILogger<GroupManagedDistribution> logger)
{
    /// <summary>Refusals: "not-found", "token-missing", "confirm" (the affected licenses come with it).</summary>
    public async Task<(GroupManagedDistributionResult? Result, string? Refusal, IReadOnlyList<AffectedLicense> Affected)> SetEnabledAsync(
        string groupId, bool enabled, bool confirm, CancellationToken cancellationToken)
    {
        if (await groups.GetAsync(GroupKind.User, groupId, cancellationToken) is null) return (null, "not-found", []);
        var memberIds = await memberships.MemberIdsAsync(GroupKind.User, groupId, cancellationToken);
        var current = await states.ReadManyAsync(memberIds, cancellationToken);
        var todo = enabled
            ? current.Values.Where(s => !(s.Enabled && (s.InviteCode is not null || s.Status == EnrolmentStatus.Enrolled))).ToList()
            : current.Values.Where(s => s.Enabled).ToList();
        if (todo.Count == 0) return (new(groupId, enabled, memberIds.Count, 0, memberIds.Count, 0, [], []), null, []);
        if (await registration.InstalledLocationAsync(cancellationToken) is not { } location) return (null, "token-missing", []);

        IReadOnlyList<AffectedLicense> affected = [];
        IReadOnlyList<ManagedDistributionState> changed;
        if (enabled)
        {
            var rows = await users.ReadManyAsync([.. todo.Select(s => s.UserId)], null, cancellationToken);
            var summaries = rows.Values.Select(UserEntity.ToSummary).ToList();
            changed = await registration.RegisterManyAsync(summaries, location, current, cancellationToken);
        }
        else
        {
            affected = await licenses.ForUsersAsync([.. todo.Select(s => s.UserId)], cancellationToken);
            if (affected.Count > 0 && !confirm) return (null, "confirm", affected);
            changed = await registration.RetireManyAsync(location, todo, cancellationToken);
        }
        // Read-time ETags guard the writes: a member changed meanwhile (a notification) keeps its newer state.
        var saved = (await states.SaveManyAsync(changed, cancellationToken)).ToList();
        foreach (var state in saved) await enrolments.AnnounceAsync(current[state.UserId], state, cancellationToken);
        saved.AddRange(await SettleRacesAsync(changed, saved, cancellationToken));
        var notRegistered = enabled ? todo.Select(s => s.UserId).Except(changed.Select(c => c.UserId), StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList() : [];
        logger.LogInformation("Managed distribution {Action} for group {GroupId}: {Changed} of {Members} members changed",
            enabled ? "enabled" : "disabled", groupId, saved.Count, memberIds.Count);
        return (new(groupId, enabled, memberIds.Count, saved.Count, memberIds.Count - todo.Count,
            saved.Count(s => s.Status == EnrolmentStatus.Enrolled), notRegistered, affected), null, affected);
    }

    /// <summary>
    /// Members whose row changed while Apple was being called (typically Apple's own USER_MANAGEMENT
    /// notification got there first): the outcome is applied on their fresh state, unless that
    /// already says as much. Returns their states now.
    /// </summary>
    async Task<IReadOnlyList<ManagedDistributionState>> SettleRacesAsync(IReadOnlyList<ManagedDistributionState> wanted,
        IReadOnlyList<ManagedDistributionState> saved, CancellationToken cancellationToken)
    {
        var done = saved.Select(s => s.UserId).ToHashSet(StringComparer.Ordinal);
        var settled = new List<ManagedDistributionState>();
        foreach (var want in wanted.Where(w => !done.Contains(w.UserId)))
        {
            var (before, after) = await states.UpdateAsync(want.UserId, fresh => Settle(fresh, want), cancellationToken);
            if (after is not null) await enrolments.AnnounceAsync(before, after, cancellationToken);
            settled.Add(after ?? before);
        }
        return settled;
    }

    static ManagedDistributionState? Settle(ManagedDistributionState fresh, ManagedDistributionState want) =>
        want.Enabled
            ? fresh.Enabled && (fresh.Status == EnrolmentStatus.Enrolled || fresh.InviteCode == want.InviteCode) ? null
                : want with { ETag = fresh.ETag, InvitedAt = fresh.InvitedAt, InvitedBy = fresh.InvitedBy }
            : fresh.Status == EnrolmentStatus.Retired ? null : want with { ETag = fresh.ETag };
}
