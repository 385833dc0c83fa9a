using Azure.Core;
using Azure.Identity;

namespace ManagedDistribution.Platform.Storage;

/// <summary>
/// Chooses how the app reaches storage, the same way the Functions host does for
/// <c>AzureWebJobsStorage</c>: a connection string (Azurite, shared key) or, in Azure, the
/// identity-based form <c>AzureWebJobsStorage__tableServiceUri</c>/<c>__queueServiceUri</c> with
/// <c>__credential=managedidentity</c> and <c>__clientId</c> (contracts/azure.md §1.12).
/// </summary>
public static class StorageConnection
{
    public static StorageAccount Resolve(IConfiguration configuration)
    {
        var connectionString = configuration[ConfigurationKeys.AzureWebJobsStorage];
        var tableUri = configuration[ConfigurationKeys.AzureWebJobsStorageTableServiceUri];
        var queueUri = configuration[ConfigurationKeys.AzureWebJobsStorageQueueServiceUri];

        if (string.IsNullOrEmpty(connectionString) && !string.IsNullOrEmpty(tableUri) && !string.IsNullOrEmpty(queueUri))
            return StorageAccount.FromServiceUris(new Uri(tableUri), new Uri(queueUri), CreateCredential(configuration));

        return StorageAccount.Parse(string.IsNullOrEmpty(connectionString) ? "UseDevelopmentStorage=true" : connectionString);
    }

    static TokenCredential CreateCredential(IConfiguration configuration)
    {
        var clientId = configuration[ConfigurationKeys.AzureWebJobsStorageClientId];
        var credential = configuration[ConfigurationKeys.AzureWebJobsStorageCredential];
        var managedIdentity = string.Equals(credential, "managedidentity", StringComparison.OrdinalIgnoreCase);

        if (managedIdentity || !string.IsNullOrEmpty(clientId))
            return new ManagedIdentityCredential(string.IsNullOrEmpty(clientId)
                ? ManagedIdentityId.SystemAssigned
                : ManagedIdentityId.FromUserAssignedClientId(clientId));

        // Outside Azure (a developer pointing at a real account): az login, VS, environment...
        return new DefaultAzureCredential();
    }
}
