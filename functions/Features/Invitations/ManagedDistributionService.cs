using ManagedDistribution.Features.Directory;

namespace ManagedDistribution.Features.Invitations;

/// <summary>Turns managed distribution on and off for one user (R11): registers them at Apple, or retires them there.</summary>
public sealed class ManagedDistributionService(IUserDirectory users, ManagedDistributionStore states, AppleUserRegistration registration,
    ILogger<ManagedDistributionService> logger)
{
    /// <summary>The new state, or null with a refusal when the user is unknown (<c>not-found</c>) or no token is installed (<c>token-missing</c>).</summary>
    public async Task<(ManagedDistributionState? State, string? Refusal)> SetEnabledAsync(string userId, bool enabled, CancellationToken cancellationToken)
    {
        if (await users.GetUserAsync(userId, cancellationToken) is not { } user) return (null, "not-found");
        var state = await states.GetAsync(userId, cancellationToken);
        if (enabled && state.Enabled && (state.InviteCode is not null || state.Status == EnrolmentStatus.Enrolled)) return (state, null);
        if (!enabled && !state.Enabled) return (state, null);
        if (await registration.InstalledLocationAsync(cancellationToken) is not { } location) return (null, "token-missing");

        var changed = enabled
            ? await registration.RegisterAsync(user, location, state, cancellationToken)
            : await registration.RetireAsync(location, state, cancellationToken);
        var saved = await states.SaveAsync(changed, cancellationToken);
        logger.LogInformation("Managed distribution for {UserId} is now {ManagedDistributionStatus}", userId, saved.Status);
        return (saved, null);
    }
}
