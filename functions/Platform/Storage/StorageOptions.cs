using System.Text.RegularExpressions;

namespace ManagedDistribution.Platform.Storage;

/// <summary>Storage settings: <c>AzureWebJobsStorage</c> and the <c>Storage</c> section.</summary>
public sealed partial class StorageOptions
{
    public const string SectionName = "Storage";

    /// <summary>
    /// Prefix for every table and queue name, so several instances or test runs share one account.
    /// Lowercase letters and digits only: valid in both table names and queue names.
    /// </summary>
    public string Prefix { get; set; } = "";

    public static bool IsValidPrefix(string prefix) => prefix.Length == 0 || PrefixPattern().IsMatch(prefix);

    [GeneratedRegex("^[a-z][a-z0-9]{0,19}$")]
    private static partial Regex PrefixPattern();
}
