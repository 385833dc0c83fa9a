namespace ManagedDistribution.Platform;

/// <summary>
/// Configuration keys the app reads directly rather than through an options class (whose keys
/// come from <c>SectionName</c> + property names). ConfigurationKeysTests checks that every key
/// here and every options property is set in infra/**/*.bicep or documented in
/// local.settings.sample.json, unless it is listed in <see cref="ProvidedByRuntime"/>.
/// </summary>
public static class ConfigurationKeys
{
    /// <summary>Storage connection string; default <c>UseDevelopmentStorage=true</c>.</summary>
    public const string AzureWebJobsStorage = "AzureWebJobsStorage";

    // Identity-based storage (Azure): the host's own setting names, reused by the app.
    public const string AzureWebJobsStorageTableServiceUri = "AzureWebJobsStorage:tableServiceUri";
    public const string AzureWebJobsStorageQueueServiceUri = "AzureWebJobsStorage:queueServiceUri";
    public const string AzureWebJobsStorageClientId = "AzureWebJobsStorage:clientId";
    public const string AzureWebJobsStorageCredential = "AzureWebJobsStorage:credential";

    /// <summary>Port the Functions host assigns to the custom handler.</summary>
    public const string FunctionsCustomHandlerPort = "FUNCTIONS_CUSTOMHANDLER_PORT";

    /// <summary>Every key the app reads directly.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        AzureWebJobsStorage,
        AzureWebJobsStorageTableServiceUri,
        AzureWebJobsStorageQueueServiceUri,
        AzureWebJobsStorageClientId,
        AzureWebJobsStorageCredential,
        FunctionsCustomHandlerPort,
    ];

    /// <summary>Keys set by the platform, never by our settings, each with the reason.</summary>
    public static IReadOnlyDictionary<string, string> ProvidedByRuntime { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        [FunctionsCustomHandlerPort] = "set by the Functions host for the handler process it launches (contracts/azure.md §1.2)",
        ["ASPNETCORE_URLS"] = "standalone runs only; under the host the port comes from FUNCTIONS_CUSTOMHANDLER_PORT",
    };
}
