namespace ManagedDistribution.Platform.Storage;

/// <summary>Storage settings: <c>AzureWebJobsStorage</c> and the <c>Storage</c> section.</summary>
public sealed class StorageOptions
{
    public const string SectionName = "Storage";

    /// <summary>Prefix for every table and queue name, so several instances or test runs share one account.</summary>
    public string Prefix { get; set; } = "";
}
