using Azure.Core;

namespace ManagedDistribution.Platform.Storage;

/// <summary>
/// Where a storage account's table and queue services live and how to authenticate to them:
/// parsed from a connection string (shared key; <c>UseDevelopmentStorage=true</c> included) or
/// given as service URIs with a <see cref="TokenCredential"/> (managed identity in Azure).
/// See contracts/azure.md §4.
/// </summary>
public sealed class StorageAccount
{
    /// <summary>The well-known Azurite/emulator account key (public, documented by Microsoft).</summary>
    public const string DevelopmentAccountKey =
        "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    public required string AccountName { get; init; }
    public required Uri TableEndpoint { get; init; }
    public required Uri QueueEndpoint { get; init; }
    public Uri? BlobEndpoint { get; init; }

    /// <summary>Decoded account key when the account uses shared-key auth; null with a token credential.</summary>
    public byte[]? AccountKey { get; init; }

    /// <summary>Entra ID credential when the account uses bearer tokens; null with shared key.</summary>
    public TokenCredential? Credential { get; init; }

    public static StorageAccount FromServiceUris(Uri tableEndpoint, Uri queueEndpoint, TokenCredential credential) => new()
    {
        AccountName = tableEndpoint.Host.Split('.')[0],
        TableEndpoint = tableEndpoint,
        QueueEndpoint = queueEndpoint,
        Credential = credential,
    };

    /// <summary>Parses a storage connection string (split on the first '=' of each ';'-separated pair).</summary>
    public static StorageAccount Parse(string connectionString)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var segment in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = segment.IndexOf('=');
            if (eq <= 0) throw new FormatException("Storage connection string has a segment without 'key=value'.");
            values[segment[..eq].Trim()] = segment[(eq + 1)..].Trim();
        }

        if (values.TryGetValue("UseDevelopmentStorage", out var dev) && bool.TryParse(dev, out var useDev) && useDev)
            return Development(values.GetValueOrDefault("DevelopmentStorageProxyUri"));

        if (!values.TryGetValue("AccountName", out var name) || !values.TryGetValue("AccountKey", out var key))
            throw new FormatException("Storage connection string needs AccountName and AccountKey (or UseDevelopmentStorage=true).");

        var protocol = values.GetValueOrDefault("DefaultEndpointsProtocol", "https");
        var suffix = values.GetValueOrDefault("EndpointSuffix", "core.windows.net");
        Uri Endpoint(string service) => values.TryGetValue($"{service}Endpoint", out var explicitUri)
            ? new Uri(explicitUri)
            : new Uri($"{protocol}://{name}.{service.ToLowerInvariant()}.{suffix}");

        return new StorageAccount
        {
            AccountName = name,
            AccountKey = DecodeKey(key),
            TableEndpoint = Endpoint("Table"),
            QueueEndpoint = Endpoint("Queue"),
            BlobEndpoint = Endpoint("Blob"),
        };
    }

    static StorageAccount Development(string? proxyUri)
    {
        var host = proxyUri is null ? new Uri("http://127.0.0.1") : new Uri(proxyUri);
        Uri Endpoint(int port) => new($"{host.Scheme}://{host.Host}:{port}/devstoreaccount1");
        return new StorageAccount
        {
            AccountName = "devstoreaccount1",
            AccountKey = Convert.FromBase64String(DevelopmentAccountKey),
            BlobEndpoint = Endpoint(10000),
            QueueEndpoint = Endpoint(10001),
            TableEndpoint = Endpoint(10002),
        };
    }

    static byte[] DecodeKey(string key)
    {
        try { return Convert.FromBase64String(key); }
        catch (FormatException) { throw new FormatException("Storage AccountKey is not valid base64."); }
    }

    /// <summary>Never prints the key: connection details end up in logs and exception messages.</summary>
    public override string ToString() => $"{AccountName} (tables {TableEndpoint}, queues {QueueEndpoint})";
}
