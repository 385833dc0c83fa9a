using ManagedDistribution.Features.AppsAndBooks.Models;

namespace ManagedDistribution.Features.AppleNotifications;

/// <summary>
/// Applies Apple's view of users read with Get Users (reconciliation's user sync, contracts/apple.md
/// §1.10): <c>Associated</c> → enrolled (R14), <c>Retired</c> → retired. Implemented by the
/// Invitations feature; the reconciliation calls it with each page it reads. Idempotent.
/// Returns how many users changed state.
/// </summary>
public interface IAppleUserSync
{
    Task<int> ApplyAsync(string locationUId, IReadOnlyList<AppsAndBooksUser> users, CancellationToken cancellationToken);
}
