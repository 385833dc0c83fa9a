using System.Text;
using Azure.Core;
using ManagedDistribution.Platform.Storage;
using ManagedDistribution.Tests.Infrastructure;

namespace ManagedDistribution.Tests.Platform.Storage;

/// <summary>Retries and odd-but-legal service answers (contracts/azure.md §2.4, §2.5).</summary>
public class TableRetryTests(AzuriteFixture azurite)
{
    static readonly string Prefix = AzuriteFixture.NewPrefix();
    static CancellationToken Token => TestContext.Current.CancellationToken;

    static bool IsInsert(HttpMessage message) =>
        message.Request.Method == RequestMethod.Post && !message.Request.Uri.Path.EndsWith("Tables", StringComparison.Ordinal);

    [Fact]
    public async Task ARetriedInsertThatHadLandedCountsAsDone()
    {
        var (options, fault) = TableFaultPolicy.Options(IsInsert, () => new CannedResponse(503));
        var table = await TableTestSupport.CreateTableAsync(azurite, Prefix, "retried", options);

        var etag = await table.AddEntityAsync(new TableEntity("p", "r") { ["V"] = 1, ["At"] = DateTimeOffset.UnixEpoch }, Token);

        Assert.Equal(2, fault.Sent);
        Assert.Equal((await table.GetEntityAsync("p", "r", cancellationToken: Token))!.ETag, etag);
    }

    [Fact]
    public async Task ARetriedInsertThatMeetsSomeoneElsesEntityStillConflicts()
    {
        var (options, fault) = TableFaultPolicy.Options(IsInsert, () => new CannedResponse(503));
        var table = await TableTestSupport.CreateTableAsync(azurite, Prefix, "conflict", options);
        await TableTestSupport.Service(azurite, Prefix).GetTableClient("conflict").AddEntityAsync(new TableEntity("p", "r") { ["V"] = 0 }, Token);

        var conflict = await Assert.ThrowsAsync<StorageRequestFailedException>(() => table.AddEntityAsync(new TableEntity("p", "r") { ["V"] = 1 }, Token));

        Assert.Equal((409, "EntityAlreadyExists", 2), (conflict.Status, conflict.ErrorCode, fault.Sent));
    }

    [Fact]
    public async Task AnEmptyPageWithAContinuationIsNotTheEnd()
    {
        // Azure may end a page early, even with no entities. Azurite never does, so fake the first
        // page; its token (Azurite's format: base64 of the keys) points at the first real entity.
        static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));
        var (options, fault) = TableFaultPolicy.Options(m => m.Request.Method == RequestMethod.Get,
            () => new CannedResponse(200, """{"value":[]}""", ("x-ms-continuation-NextPartitionKey", B64("p")), ("x-ms-continuation-NextRowKey", B64("r00"))));
        var table = await TableTestSupport.CreateTableAsync(azurite, Prefix, "emptyPage", options);
        await table.SubmitTransactionAsync([.. Enumerable.Range(0, 30).Select(i =>
            new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("p", $"r{i:D2}")))], Token);

        var all = await table.QueryAsync(maxPerPage: 10, cancellationToken: Token).ToListAsync();

        Assert.Equal(30, all.Count);
        Assert.Equal(4, fault.Sent);
    }

    [Fact]
    public async Task AQueryPageWhoseBodyBreaksOffIsReadAgain()
    {
        // Query pages are read outside the pipeline (not buffered by it), so a connection that
        // drops mid-body is retried by the query itself.
        var (options, fault) = TableFaultPolicy.Options(m => m.Request.Method == RequestMethod.Get,
            () => new CannedResponse(200) { ContentStream = new BrokenStream() });
        var table = await TableTestSupport.CreateTableAsync(azurite, Prefix, "brokenPage", options);
        await table.AddEntityAsync(new TableEntity("p", "r") { ["V"] = 1 }, Token);

        var all = await table.QueryAsync(cancellationToken: Token).ToListAsync();

        Assert.Equal(1, Assert.Single(all).GetInt32("V"));
        Assert.Equal(2, fault.Sent);
    }

    /// <summary>A response body whose connection resets after a few bytes.</summary>
    sealed class BrokenStream() : MemoryStream("{\"value\":["u8.ToArray())
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Position < Length ? await base.ReadAsync(buffer, cancellationToken) : throw new IOException("Connection reset by peer.");
    }
}
