using System.Security.Cryptography;
using System.Text;
using Azure.Core;
using Azure.Core.Pipeline;
using ManagedDistribution.Platform.Storage;
using Microsoft.Extensions.Options;

namespace ManagedDistribution.Tests.Platform.Storage;

/// <summary>Offline: headers, SharedKeyLite resource strings and bearer auth, captured before the wire.</summary>
public class TablePipelineTests
{
    static CancellationToken Token => TestContext.Current.CancellationToken;
    static readonly DateTimeOffset Now = new(2026, 11, 21, 4, 47, 41, TimeSpan.Zero);

    [Theory]
    [InlineData("https://acct.table.core.windows.net/Tables", "/acct/Tables")]
    [InlineData("http://127.0.0.1:10002/acct/Tables", "/acct/acct/Tables")]
    [InlineData("http://127.0.0.1:10002/acct/t(PartitionKey='p',RowKey='r%27%271')?$filter=x", "/acct/acct/t(PartitionKey='p',RowKey='r%27%271')")]
    [InlineData("https://acct.table.core.windows.net/t?comp=acl&timeout=5", "/acct/t?comp=acl")]
    public void CanonicalizedResourceHasTheAccountThePathAndOnlyComp(string uri, string expected) =>
        Assert.Equal(expected, new TableSharedKeyLitePolicy("acct", new byte[32], new FixedTime(Now)).CanonicalizedResource(new Uri(uri)));

    [Fact]
    public async Task SharedKeyLiteSignsDateAndResource()
    {
        var key = RandomNumberGenerator.GetBytes(64);
        var account = new StorageAccount
        {
            AccountName = "acct",
            AccountKey = key,
            TableEndpoint = new Uri("http://127.0.0.1:10002/acct"),
            QueueEndpoint = new Uri("http://127.0.0.1:10001/acct"),
        };
        var capture = new CapturePolicy();
        var table = new TableServiceClient(account, Options.Create(new StorageOptions { Prefix = "pre" }), capture.Options(), new FixedTime(Now)).GetTableClient("things");

        Assert.Null(await table.GetEntityAsync("p", "r'1", cancellationToken: Token));

        var date = Now.ToString("R");
        var expected = Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{date}\n/acct/acct/prethings(PartitionKey='p',RowKey='r%27%271')")));
        Assert.Equal($"SharedKeyLite acct:{expected}", capture.Headers["Authorization"]);
        Assert.Equal(date, capture.Headers["x-ms-date"]);
        Assert.False(capture.Headers.ContainsKey("Date"));
        AssertPinnedHeaders(capture.Headers);
    }

    [Fact]
    public async Task TokenCredentialsSendBearerTokensForStorageScope()
    {
        var credential = new FixedCredential();
        var account = StorageAccount.FromServiceUris(new Uri("https://acct.table.core.windows.net"), new Uri("https://acct.queue.core.windows.net"), credential);
        var capture = new CapturePolicy();
        var table = new TableServiceClient(account, Options.Create(new StorageOptions()), capture.Options(), new FixedTime(Now)).GetTableClient("things");

        Assert.Null(await table.GetEntityAsync("p", "r", cancellationToken: Token));

        Assert.Equal("Bearer fixed-token", capture.Headers["Authorization"]);
        Assert.Equal(["https://storage.azure.com/.default"], credential.Scopes);
        Assert.Equal(Now.ToString("R"), capture.Headers["x-ms-date"]);
        AssertPinnedHeaders(capture.Headers);
    }

    static void AssertPinnedHeaders(Dictionary<string, string> headers)
    {
        Assert.Equal("2020-12-06", headers["x-ms-version"]);
        Assert.Equal("3.0;NetFx", headers["DataServiceVersion"]);
        Assert.Equal("3.0;NetFx", headers["MaxDataServiceVersion"]);
        Assert.Equal("application/json;odata=minimalmetadata", headers["Accept"]);
    }

    sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    sealed class FixedCredential : TokenCredential
    {
        public string[] Scopes = [];
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            Scopes = requestContext.Scopes;
            return new AccessToken("fixed-token", DateTimeOffset.MaxValue);
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            new(GetToken(requestContext, cancellationToken));
    }

    /// <summary>Records the final request headers and answers 404 ResourceNotFound without sending.</summary>
    sealed class CapturePolicy : HttpPipelinePolicy
    {
        public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);

        public StorageClientOptions Options()
        {
            var options = new StorageClientOptions();
            options.AddPolicy(this, HttpPipelinePosition.BeforeTransport);
            return options;
        }

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) => Answer(message);

        public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            Answer(message);
            return ValueTask.CompletedTask;
        }

        void Answer(HttpMessage message)
        {
            foreach (var header in message.Request.Headers) Headers[header.Name] = header.Value;
            message.Response = new CannedResponse(404, """{"odata.error":{"code":"ResourceNotFound","message":{"value":"gone"}}}""");
        }
    }
}
