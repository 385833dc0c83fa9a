namespace ManagedDistribution.Features.AppsAndBooks;

/// <summary>Splits management calls to Service Config's per-request limits, duplicates removed
/// (Apple rejects duplicates with 9703–9705 and 9715).</summary>
internal static class Chunking
{
    public static IReadOnlyList<T> Distinct<T>(IEnumerable<T>? items) =>
        items is null ? [] : items.Distinct().ToList();

    public static IReadOnlyList<string> DistinctIds(IEnumerable<string>? ids) =>
        ids is null ? [] : ids.Where(id => !string.IsNullOrWhiteSpace(id)).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>
    /// Pairs the i-th chunk of users with the i-th chunk of serials, since one request may carry
    /// both (each array is checked against its own limit): fewer, larger requests, as Apple prefers.
    /// </summary>
    public static IEnumerable<(IReadOnlyList<string>? Users, IReadOnlyList<string>? Serials)> Targets(
        IReadOnlyList<string> users, int maxUsers, IReadOnlyList<string> serials, int maxSerials)
    {
        var userChunks = users.Chunk(Math.Max(1, maxUsers)).ToList();
        var serialChunks = serials.Chunk(Math.Max(1, maxSerials)).ToList();
        for (var i = 0; i < Math.Max(userChunks.Count, serialChunks.Count); i++)
            yield return (i < userChunks.Count ? userChunks[i] : null, i < serialChunks.Count ? serialChunks[i] : null);
    }
}
