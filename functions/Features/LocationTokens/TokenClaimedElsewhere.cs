using ManagedDistribution.Features.AppsAndBooks;
using ManagedDistribution.Features.AppsAndBooks.Models;

namespace ManagedDistribution.Features.LocationTokens;

/// <summary>
/// Marks an installed token <c>usedByAnotherMdm</c> when any Apple response shows another MDM's
/// <c>mdmInfo</c>: assignments check <see cref="TokenHealthRules.AllowsWrites"/> and stop
/// writing to that location. Reinstalling the token with take-over claims it back.
/// </summary>
public sealed class TokenClaimedElsewhere(LocationTokenStore tokens, TimeProvider time, ILogger<TokenClaimedElsewhere> logger) : IMdmInfoConflictObserver
{
    public async Task MdmInfoConflictAsync(string locationUId, MdmInfo otherMdm, CancellationToken cancellationToken)
    {
        if (await tokens.GetAsync(locationUId, cancellationToken) is not { } record || record.Health == TokenHealth.UsedByAnotherMdm) return;
        await tokens.UpdateIfUnchangedAsync(record with
        {
            Health = TokenHealth.UsedByAnotherMdm,
            OtherMdm = otherMdm,
            HealthCheckedAt = time.GetUtcNow(),
            HealthDetail = "An Apple response named another MDM as this location's manager; writes stopped.",
        }, cancellationToken);
        logger.LogWarning("Location {LocationUId} marked as used by another MDM ({OtherMdmName})", locationUId, otherMdm.Name);
    }
}
