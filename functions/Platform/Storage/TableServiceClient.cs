using System.Text.RegularExpressions;
using Azure.Core;
using Azure.Core.Pipeline;
using Microsoft.Extensions.Options;

namespace ManagedDistribution.Platform.Storage;

/// <summary>
/// Entry point to the account's Table service over REST (Azure.Core pipeline, no Azure.Data.Tables):
/// SharedKeyLite for connection strings (Azurite), bearer tokens with
/// <c>https://storage.azure.com/.default</c> for managed identity. Hands out <see cref="TableClient"/>s
/// whose names carry <see cref="StorageOptions.Prefix"/>. Thread-safe; register as a singleton.
/// See contracts/azure.md §2 and https://learn.microsoft.com/rest/api/storageservices/table-service-rest-api .
/// </summary>
public sealed partial class TableServiceClient
{
    readonly HttpPipeline pipeline;
    readonly string prefix;

    public TableServiceClient(StorageAccount account, IOptions<StorageOptions> options, StorageClientOptions? clientOptions = null,
        TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(account);
        var time = timeProvider ?? TimeProvider.System;
        Endpoint = account.TableEndpoint;
        AccountName = account.AccountName;
        prefix = options.Value.Prefix;
        HttpPipelinePolicy[] perRetry = account switch
        {
            { AccountKey: { } key } => [new TableSharedKeyLitePolicy(account.AccountName, key, time)],
            { Credential: { } credential } => [new TableDatePolicy(time), new BearerTokenAuthenticationPolicy(credential, StoragePipeline.StorageScope)],
            _ => throw new ArgumentException("The storage account has neither an account key nor a token credential.", nameof(account)),
        };
        var slots = options.Value.TransactionsInFlight;
        if (!StorageOptions.IsValidTransactionsInFlight(slots))
            throw new ArgumentException(StorageOptions.TransactionsInFlightRule, nameof(options));
        pipeline = HttpPipelineBuilder.Build(clientOptions ?? new StorageClientOptions(), [new TableHeadersPolicy()],
            slots == 0 ? perRetry : [new TransactionSlotsPolicy(slots), .. perRetry], new ResponseClassifier());
    }

    /// <summary>The Table service endpoint, with any path prefix (Azurite: <c>http://127.0.0.1:10002/devstoreaccount1</c>).</summary>
    public Uri Endpoint { get; }

    public string AccountName { get; }

    /// <summary>
    /// A client for the table <c>Storage:Prefix + name</c>. The full name must be 3–63 letters and
    /// digits starting with a letter (the service's rule), else <see cref="ArgumentException"/>.
    /// </summary>
    public TableClient GetTableClient(string name)
    {
        var fullName = prefix + name;
        if (!TableName().IsMatch(fullName) || fullName.Equals("tables", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"'{fullName}' (prefix '{prefix}' + '{name}') is not a valid table name: 3-63 letters or digits, starting with a letter.", nameof(name));
        return new TableClient(pipeline, Endpoint, fullName);
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9]{2,62}$")]
    private static partial Regex TableName();
}
