using Azure.Identity;
using ManagedDistribution.Platform.Storage;
using Microsoft.Extensions.Configuration;

namespace ManagedDistribution.Tests.Platform.Storage;

public class StorageConnectionTests
{
    static IConfiguration Config(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, (string?)v.Value))).Build();

    [Fact]
    public void NothingConfiguredMeansAzurite()
    {
        var account = StorageConnection.Resolve(Config());

        Assert.Equal("devstoreaccount1", account.AccountName);
        Assert.NotNull(account.AccountKey);
    }

    [Fact]
    public void ConnectionStringWins()
    {
        var account = StorageConnection.Resolve(Config(
            ("AzureWebJobsStorage", "AccountName=acct;AccountKey=a2V5;EndpointSuffix=core.windows.net"),
            ("AzureWebJobsStorage:tableServiceUri", "https://other.table.core.windows.net")));

        Assert.Equal("acct", account.AccountName);
        Assert.Null(account.Credential);
    }

    [Fact]
    public void ServiceUrisWithClientIdUseTheUserAssignedIdentity()
    {
        // The app settings infra/modules/functionapp.bicep writes, as environment variables.
        var account = StorageConnection.Resolve(Config(
            ("AzureWebJobsStorage:accountName", "stabc"),
            ("AzureWebJobsStorage:credential", "managedidentity"),
            ("AzureWebJobsStorage:clientId", "00000000-0000-0000-0000-000000000001"),
            ("AzureWebJobsStorage:tableServiceUri", "https://stabc.table.core.windows.net/"),
            ("AzureWebJobsStorage:queueServiceUri", "https://stabc.queue.core.windows.net/")));

        Assert.Equal("stabc", account.AccountName);
        Assert.Equal(new Uri("https://stabc.queue.core.windows.net/"), account.QueueEndpoint);
        Assert.Null(account.AccountKey);
        Assert.IsType<ManagedIdentityCredential>(account.Credential);
    }
}
