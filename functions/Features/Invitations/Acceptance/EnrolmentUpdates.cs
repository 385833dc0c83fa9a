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
    /// <summary>
    /// An enrolment or retirement stored this long ago without <see cref="ManagedDistributionState.AnnouncedStatus"/>
    /// is taken as lost with its process and announced again when Apple next reports the user (the
    /// hourly user sync, a notification); younger ones may still be announcing.
    /// </summary>
    public static readonly TimeSpan AnnouncementLostAfter = TimeSpan.FromMinutes(10);

    /// <summary>Returns how many users changed state.</summary>
    public async Task<int> ApplyAsync(string locationUId, IEnumerable<AppsAndBooksUser> users, CancellationToken cancellationToken)
    {
        var changed = 0;
        foreach (var user in users.Where(u => u.ClientUserId.Length > 0))
        {
            var now = time.GetUtcNow();
            var (before, after) = await states.UpdateAsync(user.ClientUserId, state => Decide(state, user, locationUId, now), cancellationToken);
            if (after is not null)
            {
                changed++;
                await AnnounceAsync(before, after, cancellationToken);
            }
            else if (AnnouncementLost(before, now))
            {
                logger.LogWarning("User {UserId} became {Status} without its listeners finishing; announcing it again", before.UserId, before.Status);
                await TellAsync(before, cancellationToken);
            }
        }
        return changed;
    }

    /// <summary>Tells the listeners about a transition to enrolled or retired that was just stored.</summary>
    public async Task AnnounceAsync(ManagedDistributionState before, ManagedDistributionState after, CancellationToken cancellationToken)
    {
        if (after.Status is EnrolmentStatus.Enrolled or EnrolmentStatus.Retired && before.Status != after.Status) await TellAsync(after, cancellationToken);
    }

    static bool AnnouncementLost(ManagedDistributionState state, DateTimeOffset now) =>
        state.Status is EnrolmentStatus.Enrolled or EnrolmentStatus.Retired && state.AnnouncedStatus != state.Status && !state.ETag.IsEmpty
        && (state.Status == EnrolmentStatus.Enrolled ? state.EnrolledAt : state.RetiredAt) is { } at && now - at >= AnnouncementLostAfter;

    /// <summary>
    /// The listeners (idempotent: a second announcement serves only what the first did not), then
    /// the state marked announced, if it still has that status: a process dying before the mark
    /// leaves it for <see cref="ApplyAsync"/> to announce again.
    /// </summary>
    async Task TellAsync(ManagedDistributionState state, CancellationToken cancellationToken)
    {
        if (state.Status == EnrolmentStatus.Enrolled)
        {
            logger.LogInformation("User {UserId} is enrolled in managed distribution", state.UserId);
            foreach (var listener in listeners) await listener.UserEnrolledAsync(state.UserId, state.EnrolledAt ?? time.GetUtcNow(), cancellationToken);
            await wakeups.WakeAsync(state, cancellationToken);
        }
        else
        {
            logger.LogInformation("User {UserId} is retired from managed distribution", state.UserId);
            foreach (var listener in listeners) await listener.UserRetiredAsync(state.UserId, cancellationToken);
        }
        await states.UpdateAsync(state.UserId, current => current.Status == state.Status && current.AnnouncedStatus != state.Status
            ? current with { AnnouncedStatus = state.Status } : null, cancellationToken);
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
