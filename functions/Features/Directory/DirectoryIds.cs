using System.Text.RegularExpressions;

namespace ManagedDistribution.Features.Directory;

/// <summary>
/// Ids of users and groups: URL-safe (<c>^[A-Za-z0-9._-]{1,128}$</c>), so they are valid table
/// keys and path segments without escaping. Generated ids are <see cref="Guid"/> "N" strings.
/// </summary>
public static partial class DirectoryIds
{
    public const int MaxLength = 128;
    public const string PatternText = "^[A-Za-z0-9._-]{1,128}$";

    public static bool IsValid(string? id) => id is not null && Pattern().IsMatch(id);

    public static string NewId() => Guid.NewGuid().ToString("N");

    public static string Describe(string field) =>
        $"{field} must be 1-{MaxLength} characters: letters, digits, '.', '_' or '-'.";

    [GeneratedRegex(PatternText)]
    private static partial Regex Pattern();
}
