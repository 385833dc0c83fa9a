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

    /// <summary>
    /// Entity group transactions one instance keeps on the wire at once (<see cref="TransactionSlotsPolicy"/>),
    /// whichever feature sends them; other requests are not counted. Azurite does one thing at a time,
    /// so more only makes everything else wait; on Azure 8 transactions of 100 rows at ~20 ms are
    /// ~40,000 entities/s, twice a storage account's scalability target.
    /// </summary>
    public int TransactionsInFlight { get; set; } = 8;

    public static bool IsValidTransactionsInFlight(int slots) => slots is >= 1 and <= 256;

    public static bool IsValidPrefix(string prefix) => prefix.Length == 0 || PrefixPattern().IsMatch(prefix);

    [GeneratedRegex("^[a-z][a-z0-9]{0,19}$")]
    private static partial Regex PrefixPattern();
}
