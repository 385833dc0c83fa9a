namespace ManagedDistribution.Features.Directory;

/// <summary>Why one import row was rejected (row: 1-based position in the body, after a CSV header).</summary>
public sealed record ImportError(int Row, string? Id, IReadOnlyList<string> Reasons);

/// <summary>
/// What an import did. <see cref="Rejected"/> counts every rejected row; <see cref="Errors"/> lists
/// the first <see cref="ImportResults.ListedErrors"/> of them (<see cref="ErrorsTruncated"/> says when there were more).
/// </summary>
public sealed record ImportResult(int Created, int Updated, int Unchanged, int Rejected, IReadOnlyList<ImportError> Errors, bool ErrorsTruncated);

public static class ImportResults
{
    public const int MaxRows = 100_000;
    public const int ListedErrors = 1_000;

    public static ImportResult From(int created, int updated, int unchanged, IReadOnlyCollection<ImportError> errors) =>
        new(created, updated, unchanged, errors.Count, [.. errors.OrderBy(e => e.Row).Take(ListedErrors)], errors.Count > ListedErrors);

    public static IReadOnlyList<string> Reasons(Dictionary<string, string[]> fieldErrors) => [.. fieldErrors.Values.SelectMany(v => v)];
}
