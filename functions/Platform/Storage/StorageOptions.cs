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
    /// whichever feature sends them; other requests are not counted. 0 (the default): no limit.
    /// A trade for Azurite, which serves one request at a time: with 8, reads and check-ins no longer
    /// wait behind a campaign's transactions, and campaigns run ~5–7 % slower (Features/Invitations README).
    /// </summary>
    public int TransactionsInFlight { get; set; }

    public static bool IsValidTransactionsInFlight(int slots) => slots is >= 0 and <= 256;

    public const string TransactionsInFlightRule = "Storage:TransactionsInFlight must be between 0 (no limit) and 256.";

    public static bool IsValidPrefix(string prefix) => prefix.Length == 0 || PrefixPattern().IsMatch(prefix);

    [GeneratedRegex("^[a-z][a-z0-9]{0,19}$")]
    private static partial Regex PrefixPattern();
}
