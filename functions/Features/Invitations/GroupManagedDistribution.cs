using ManagedDistribution.Features.Directory;
using ManagedDistribution.Features.Invitations.Acceptance;
using Microsoft.Extensions.Options;

namespace ManagedDistribution.Features.Invitations;

/// <summary>Body of <c>PUT /api/user-groups/{id}/managed-distribution</c>' answer: what changed for the members.</summary>
/// <param name="Changed">Members whose state changed (registered, enrolled at once, or retired).</param>
/// <param name="Unchanged">Members already in the asked state.</param>
/// <param name="NotRegistered">Members Apple did not list after the create calls (try again).</param>
public sealed record GroupManagedDistributionResult(string GroupId, bool Enabled, int Members, int Changed, int Unchanged, int Enrolled,
    IReadOnlyList<string> NotRegistered, IReadOnlyList<AffectedLicense> AffectedLicenses);

/// <summary>
/// <c>PUT /api/user-groups/{id}/managed-distribution</c>'s answer when the change runs as task
/// <see cref="TaskId"/> (more members than <see cref="InvitationsOptions.GroupInlineLimit"/>).
/// </summary>
/// <param name="ToChange">Members the task registers or retires; the others already are.</param>
public sealed record GroupManagedDistributionStarted(string GroupId, bool Enabled, int Members, int ToChange, int Unchanged, string TaskId,
    IReadOnlyList<AffectedLicense> AffectedLicenses);

/// <summary>
/// Enables or disables managed distribution for every member of a user group (R11), in bulk:
/// states read per bucket, Apple called in chunks of its live <c>maxUsers</c> limit with every
/// event followed and Get Users for the invite codes, states written in bucket transactions.
/// Up to <see cref="InvitationsOptions.GroupInlineLimit"/> members to change run within the
/// request (a repeat after a failure only does the members still left); more run as a task
/// (<see cref="GroupManagedDistributionWorkflow"/>), each chunk saving its members as it goes, so
/// a 50,000-student group neither holds a request for Apple's minutes nor starts over after a
/// timeout. Disabling members with user licenses needs <c>confirm</c> (see the endpoint).
/// </summary>
public sealed class GroupManagedDistribution(GroupStore groups, MembershipStore memberships, UserStore users, ManagedDistributionStore states,
    AppleUserRegistration registration, AffectedLicenses licenses, EnrolmentUpdates enrolments, GroupManagedDistributionWorkflow workflow,
    IOptions<InvitationsOptions> options, ILogger<GroupManagedDistribution> logger)
{
    /// <summary>
    /// Refusals: "not-found", "token-missing", "confirm" (the affected licenses come with it), "busy"
    /// (the opposite change runs as task <c>Started.TaskId</c>). A large change answers <c>Started</c>.
    /// </summary>
    public async Task<(GroupManagedDistributionResult? Result, GroupManagedDistributionStarted? Started, string? Refusal, IReadOnlyList<AffectedLicense> Affected)>
        SetEnabledAsync(string groupId, bool enabled, bool confirm, CancellationToken cancellationToken)
    {
        if (await groups.GetAsync(GroupKind.User, groupId, cancellationToken) is null) return (null, null, "not-found", []);
        var memberIds = await memberships.MemberIdsAsync(GroupKind.User, groupId, cancellationToken);
        var current = await states.ReadManyAsync(memberIds, cancellationToken);
        var todo = current.Values.Where(s => NeedsChange(s, enabled)).ToList();
        // A task already changing the group: the same change asked again is that task; the opposite waits for it
        // (checked first: members the task has not reached yet are not in their final state).
        if (await workflow.RunningForAsync(groupId, cancellationToken) is { } running)
            return (null, new(groupId, enabled, memberIds.Count, todo.Count, memberIds.Count - todo.Count, running.Id, []),
                GroupManagedDistributionWorkflow.Enables(running) == enabled ? null : "busy", []);
        if (todo.Count == 0) return (new(groupId, enabled, memberIds.Count, 0, memberIds.Count, 0, [], []), null, null, []);
        if (await registration.InstalledLocationAsync(cancellationToken) is not { } location) return (null, null, "token-missing", []);

        IReadOnlyList<AffectedLicense> affected = [];
        if (!enabled)
        {
            affected = await licenses.ForUsersAsync([.. todo.Select(s => s.UserId)], cancellationToken);
            if (affected.Count > 0 && !confirm) return (null, null, "confirm", affected);
        }
        if (todo.Count > options.Value.GroupInlineLimit)
        {
            var task = await workflow.StartAsync(groupId, enabled, [.. todo.Select(s => s.UserId)], cancellationToken);
            return (null, new(groupId, enabled, memberIds.Count, todo.Count, memberIds.Count - todo.Count, task.Id, affected), null, affected);
        }
        var (saved, notRegistered) = await ApplyAsync(todo, enabled, location, current, cancellationToken);
        logger.LogInformation("Managed distribution {Action} for group {GroupId}: {Changed} of {Members} members changed",
            enabled ? "enabled" : "disabled", groupId, saved.Count, memberIds.Count);
        return (new(groupId, enabled, memberIds.Count, saved.Count, memberIds.Count - todo.Count,
            saved.Count(s => s.Status == EnrolmentStatus.Enrolled), notRegistered, affected), null, null, affected);
    }

    /// <summary>Whether the member still needs registering (enable) or retiring (disable).</summary>
    internal static bool NeedsChange(ManagedDistributionState state, bool enable) => enable
        ? !(state.Enabled && (state.InviteCode is not null || state.Status == EnrolmentStatus.Enrolled))
        : state.Enabled;

    /// <summary>
    /// Registers or retires <paramref name="todo"/> at Apple and saves their states (inline, or one
    /// chunk of the task). Returns the states now and, when enabling, the members Apple did not list.
    /// </summary>
    internal async Task<(List<ManagedDistributionState> Saved, List<string> NotRegistered)> ApplyAsync(IReadOnlyList<ManagedDistributionState> todo,
        bool enabled, InstalledLocation location, IReadOnlyDictionary<string, ManagedDistributionState> current, CancellationToken cancellationToken)
    {
        IReadOnlyList<ManagedDistributionState> changed;
        if (enabled)
        {
            var rows = await users.ReadManyAsync([.. todo.Select(s => s.UserId)], null, cancellationToken);
            changed = await registration.RegisterManyAsync([.. rows.Values.Select(UserEntity.ToSummary)], location, current, cancellationToken);
        }
        else changed = await registration.RetireManyAsync(location, todo, cancellationToken);
        // Read-time ETags guard the writes: a member changed meanwhile (a notification) keeps its newer state.
        var saved = (await states.SaveManyAsync(changed, cancellationToken)).ToList();
        foreach (var state in saved) await enrolments.AnnounceAsync(current[state.UserId], state, cancellationToken);
        saved.AddRange(await SettleRacesAsync(changed, saved, cancellationToken));
        var notRegistered = enabled ? todo.Select(s => s.UserId).Except(changed.Select(c => c.UserId), StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList() : [];
        return (saved, notRegistered);
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

    /// <summary>What to write over <paramref name="fresh"/> (changed while Apple was called) to get <paramref name="want"/>; null: it already says as much.</summary>
    internal static ManagedDistributionState? Settle(ManagedDistributionState fresh, ManagedDistributionState want) =>
        want.Enabled
            ? fresh.Enabled && (fresh.Status == EnrolmentStatus.Enrolled || fresh.InviteCode == want.InviteCode) ? null
                : want with { ETag = fresh.ETag, InvitedAt = fresh.InvitedAt, InvitedBy = fresh.InvitedBy }
            : fresh.Status == EnrolmentStatus.Retired ? null : want with { ETag = fresh.ETag };
}
