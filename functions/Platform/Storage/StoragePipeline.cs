using Azure.Core;
using Azure.Core.Pipeline;

namespace ManagedDistribution.Platform.Storage;

/// <summary>Options for the storage REST clients: Azure.Core retries, diagnostics and transport.</summary>
public sealed class StorageClientOptions : ClientOptions
{
    public StorageClientOptions()
    {
        Retry.MaxRetries = 4;
        Retry.Mode = RetryMode.Exponential;
        Retry.Delay = TimeSpan.FromMilliseconds(200);
        Retry.NetworkTimeout = TimeSpan.FromSeconds(30);
        // Logging request/response headers would include Authorization; Azure.Core redacts it
        // by default, and we keep bodies (which may carry secrets in messages) out entirely.
        Diagnostics.IsLoggingContentEnabled = false;
    }
}

/// <summary>Builds the HTTP pipeline for one storage service with the account's authentication.</summary>
public static class StoragePipeline
{
    public const string StorageScope = "https://storage.azure.com/.default";

    public static HttpPipeline Build(StorageAccount account, HttpPipelinePolicy sharedKeyPolicy, StorageClientOptions? options = null)
    {
        HttpPipelinePolicy auth = account.Credential is not null
            ? new BearerTokenAuthenticationPolicy(account.Credential, StorageScope)
            : sharedKeyPolicy;
        return HttpPipelineBuilder.Build(options ?? new StorageClientOptions(), perCallPolicies: [], perRetryPolicies: [auth], new ResponseClassifier());
    }

    /// <summary>Signature of a shared-key string-to-sign: Base64(HMAC-SHA256(key, UTF8(text))).</summary>
    public static string Sign(byte[] accountKey, string stringToSign) =>
        Convert.ToBase64String(System.Security.Cryptography.HMACSHA256.HashData(accountKey, System.Text.Encoding.UTF8.GetBytes(stringToSign)));
}
