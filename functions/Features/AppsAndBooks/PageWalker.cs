using System.Runtime.CompilerServices;
using ManagedDistribution.Features.AppsAndBooks.Models;

namespace ManagedDistribution.Features.AppsAndBooks;

/// <summary>
/// Walks Apple's paginated reads in page order: page 0 without <c>pageIndex</c>, then on while
/// <c>nextPageIndex</c> is present. With parallelism above 1 it keeps that many later pages in
/// flight (Apple allows 5), and still trusts <c>nextPageIndex</c> over <c>totalPages</c>, which
/// may change mid-traversal.
/// See https://developer.apple.com/documentation/devicemanagement/using-paginated-endpoints
/// </summary>
internal static class PageWalker
{
    public static async IAsyncEnumerable<TPage> WalkAsync<TPage>(
        Func<int?, CancellationToken, Task<TPage>> fetchPage, int parallelism,
        [EnumeratorCancellation] CancellationToken cancellationToken)
        where TPage : PagedResponse
    {
        var page = await fetchPage(null, cancellationToken);
        yield return page;
        if (parallelism <= 1)
        {
            while (page.NextPageIndex is { } next)
            {
                EnsureForward(page, next);
                page = await fetchPage(next, cancellationToken);
                yield return page;
            }
            yield break;
        }
        await foreach (var later in WalkParallelAsync(page, fetchPage, parallelism, cancellationToken))
            yield return later;
    }

    static async IAsyncEnumerable<TPage> WalkParallelAsync<TPage>(
        TPage first, Func<int?, CancellationToken, Task<TPage>> fetchPage, int parallelism,
        [EnumeratorCancellation] CancellationToken cancellationToken)
        where TPage : PagedResponse
    {
        if (first.NextPageIndex is not { } start) yield break;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var inFlight = new Queue<Task<TPage>>();
        int nextToFetch = start, lastKnown = Math.Max(first.TotalPages - 1, start);
        try
        {
            while (true)
            {
                while (inFlight.Count < parallelism && nextToFetch <= lastKnown)
                    inFlight.Enqueue(fetchPage(nextToFetch++, stop.Token));
                if (inFlight.Count == 0) yield break;
                var page = await inFlight.Dequeue();
                yield return page;
                if (page.NextPageIndex is not { } next) yield break;
                EnsureForward(page, next);
                lastKnown = Math.Max(lastKnown, Math.Max(page.TotalPages - 1, next));
            }
        }
        finally
        {
            // Pages beyond a shrunken end answer 9650; nobody needs them.
            await stop.CancelAsync();
            foreach (var task in inFlight)
                try { await task; } catch (Exception) { /* abandoned page */ }
        }
    }

    static void EnsureForward(PagedResponse page, int next)
    {
        if (next <= page.CurrentPageIndex)
            throw new AppsAndBooksException(200, null, $"Apps and Books paging went backwards ({page.CurrentPageIndex} → {next}).");
    }
}
