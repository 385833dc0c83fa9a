using ManagedDistribution.Features.AppsAndBooks.Models;
using ManagedDistribution.Features.Directory;

namespace ManagedDistribution.Features.Invitations.Acceptance;

/// <summary>
/// Applies Apple's view of users to our states (R14): <c>Associated</c> → enrolled, <c>Registered</c>
/// with a new invite code → the code kept, <c>Retired</c> (of the registration we know) → retired.
/// Every user that becomes enrolled or retired is announced to the <see cref="IUserEnrollmentListener"/>s,
/// once per transition (a replay finds the state already changed). The campaign chunk that invited
/// an enrolled user is woken, so its item becomes accepted within seconds.
/// </summary>
public sealed class EnrolmentUpdates(ManagedDistributionStore states, IEnumerable<IUserEnrollmentListener> listeners,
    Campaigns.CampaignWakeups wakeups, TimeProvider time, ILogger<EnrolmentUpdates> logger)
{
    /// <summary>Returns how many users changed state.</summary>
    public async Task<int> ApplyAsync(string locationUId, IEnumerable<AppsAndBooksUser> users, CancellationToken cancellationToken)
    {
        var changed = 0;
        foreach (var user in users.Where(u => u.ClientUserId.Length > 0))
        {
            var now = time.GetUtcNow();
            var (before, after) = await states.UpdateAsync(user.ClientUserId, state => Decide(state, user, locationUId, now), cancellationToken);
            if (after is null) continue;
            changed++;
            await AnnounceAsync(before, after, cancellationToken);
        }
        return changed;
    }

    /// <summary>Tells the listeners about a transition to enrolled or retired that was just stored.</summary>
    public async Task AnnounceAsync(ManagedDistributionState before, ManagedDistributionState after, CancellationToken cancellationToken)
    {
        if (after.Status == EnrolmentStatus.Enrolled && before.Status != EnrolmentStatus.Enrolled)
        {
            logger.LogInformation("User {UserId} is enrolled in managed distribution", after.UserId);
            foreach (var listener in listeners) await listener.UserEnrolledAsync(after.UserId, after.EnrolledAt ?? time.GetUtcNow(), cancellationToken);
            await wakeups.WakeAsync(after, cancellationToken);
        }
        else if (after.Status == EnrolmentStatus.Retired && before.Status != EnrolmentStatus.Retired)
        {
            logger.LogInformation("User {UserId} is retired from managed distribution", after.UserId);
            foreach (var listener in listeners) await listener.UserRetiredAsync(after.UserId, cancellationToken);
        }
    }

    static ManagedDistributionState? Decide(ManagedDistributionState state, AppsAndBooksUser user, string locationUId, DateTimeOffset now)
    {
        // A user we retired (or never enabled with a row) ignores a late report about an older registration.
        if (!state.Enabled && state.Status == EnrolmentStatus.Retired && user.Status != AppsAndBooksUser.Associated) return null;
        switch (user.Status)
        {
            case AppsAndBooksUser.Associated when state.Status != EnrolmentStatus.Enrolled && !(state.Status == EnrolmentStatus.Retired && !state.Enabled):
                return state with
                {
                    Enabled = true, Status = EnrolmentStatus.Enrolled, EnrolledAt = now, RetiredAt = null,
                    InviteCode = user.InviteCode ?? state.InviteCode, LocationId = state.LocationId ?? locationUId,
                };
            case AppsAndBooksUser.Registered when state.Enabled && state.Status != EnrolmentStatus.Enrolled
                && user.InviteCode is { } code && code != state.InviteCode:
                return state with { InviteCode = code, LocationId = state.LocationId ?? locationUId };
            case AppsAndBooksUser.Retired or "Deleted" when state.Enabled && user.InviteCode == state.InviteCode:
                return state with { Enabled = false, Status = EnrolmentStatus.Retired, RetiredAt = now, InviteCode = null };
            default:
                return null;
        }
    }
}
