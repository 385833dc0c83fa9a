using ManagedDistribution.Features.AppsAndBooks.Models;

namespace ManagedDistribution.Features.AppsAndBooks;

/// <summary>
/// Told when any Apps and Books response carries an <c>mdmInfo</c> that is not ours: another MDM
/// has claimed the location (contracts/apple.md §1.3). Implemented by the LocationTokens feature,
/// which marks the token <c>usedByAnotherMdm</c> so writes to that location stop.
/// </summary>
public interface IMdmInfoConflictObserver
{
    Task MdmInfoConflictAsync(string locationUId, MdmInfo otherMdm, CancellationToken cancellationToken);
}
