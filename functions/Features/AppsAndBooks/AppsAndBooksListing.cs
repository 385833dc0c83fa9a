using ManagedDistribution.Features.AppsAndBooks.Models;

namespace ManagedDistribution.Features.AppsAndBooks;

/// <summary>
/// Every page of a paginated read, collected. <see cref="VersionId"/> is page 0's: save it and
/// pass it as <c>sinceVersionId</c> next time. <see cref="VersionChanged"/> means the data moved
/// during the traversal (Zentral restarts the sync in that case).
/// </summary>
public sealed record AppsAndBooksListing<T>(
    IReadOnlyList<T> Items,
    string? VersionId,
    bool VersionChanged,
    bool MdmInfoConflict,
    string? UId,
    DateTimeOffset? TokenExpirationDate,
    int Pages)
{
    internal static async Task<AppsAndBooksListing<T>> CollectAsync<TPage>(
        IAsyncEnumerable<TPage> pages, Func<TPage, IEnumerable<T>> items, CancellationToken cancellationToken)
        where TPage : PagedResponse
    {
        var all = new List<T>();
        TPage? first = null;
        bool versionChanged = false, conflict = false;
        var count = 0;
        await foreach (var page in pages.WithCancellation(cancellationToken))
        {
            first ??= page;
            count++;
            versionChanged |= !string.Equals(page.VersionId, first.VersionId, StringComparison.Ordinal);
            conflict |= page.MdmInfoConflict;
            all.AddRange(items(page));
        }
        return new(all, first?.VersionId, versionChanged, conflict, first?.UId, first?.TokenExpirationDate, count);
    }
}
