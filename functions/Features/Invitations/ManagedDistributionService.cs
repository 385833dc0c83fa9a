using ManagedDistribution.Features.Directory;
using ManagedDistribution.Features.Invitations.Acceptance;

namespace ManagedDistribution.Features.Invitations;

/// <summary>Turns managed distribution on and off for one user (R11): registers them at Apple, or retires them there.</summary>
public sealed class ManagedDistributionService(IUserDirectory users, ManagedDistributionStore states, AppleUserRegistration registration,
    AffectedLicenses licenses, EnrolmentUpdates enrolments, ILogger<ManagedDistributionService> logger)
{
    /// <summary>
    /// The new state, or null with a refusal: <c>not-found</c>, <c>token-missing</c>, or <c>confirm</c>
    /// when disabling would touch user licenses and <paramref name="confirm"/> is false (they are returned).
    /// </summary>
    public async Task<(ManagedDistributionState? State, string? Refusal, IReadOnlyList<AffectedLicense> Affected)> SetEnabledAsync(
        string userId, bool enabled, bool confirm, CancellationToken cancellationToken)
    {
        if (await users.GetUserAsync(userId, cancellationToken) is not { } user) return (null, "not-found", []);
        var state = await states.GetAsync(userId, cancellationToken);
        if (enabled && state.Enabled && (state.InviteCode is not null || state.Status == EnrolmentStatus.Enrolled)) return (state, null, []);
        if (!enabled && !state.Enabled) return (state, null, []);
        if (await registration.InstalledLocationAsync(cancellationToken) is not { } location) return (null, "token-missing", []);
        var affected = enabled ? [] : await licenses.ForUsersAsync([userId], cancellationToken);
        if (affected.Count > 0 && !confirm) return (null, "confirm", affected);

        var changed = enabled
            ? await registration.RegisterAsync(user, location, state, cancellationToken)
            : await registration.RetireAsync(location, state, cancellationToken);
        // Apple's own notification may have changed the row while Apple was being called (an
        // association, an invite code): the outcome goes over the fresh state, unless it already says as much.
        var (before, after) = await states.UpdateAsync(userId,
            fresh => fresh.ETag == state.ETag ? changed : GroupManagedDistribution.Settle(fresh, changed), cancellationToken);
        var saved = after ?? before;
        await enrolments.AnnounceAsync(before, saved, cancellationToken);
        logger.LogInformation("Managed distribution for {UserId} is now {ManagedDistributionStatus}", userId, saved.Status);
        return (saved, null, affected);
    }
}
