using ManagedDistribution.Platform.Storage;
using ManagedDistribution.Tests.Infrastructure;

namespace ManagedDistribution.Tests.Platform.Storage;

/// <summary>Paging, <c>$top</c> and <c>$select</c> over a 2,500-entity table in Azurite.</summary>
public class TableQueryTests(AzuriteFixture azurite)
{
    static readonly string Prefix = AzuriteFixture.NewPrefix();
    static readonly SemaphoreSlim SeedLock = new(1, 1);
    static TableClient? seeded;
    static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>5 partitions × 500 entities, written as 25 transactions, once per class.</summary>
    async Task<TableClient> SeededAsync()
    {
        await SeedLock.WaitAsync(Token);
        try
        {
            if (seeded is not null) return seeded;
            var table = await TableTestSupport.CreateTableAsync(azurite, Prefix, "many");
            for (var p = 0; p < 5; p++)
                for (var batch = 0; batch < 5; batch++)
                    await table.SubmitTransactionAsync([.. Enumerable.Range(batch * 100, 100).Select(i => new TableTransactionAction(
                        TableTransactionActionType.Add,
                        new TableEntity($"p{p}", $"r{i:D4}") { ["N"] = p * 500 + i, ["Name"] = $"entity {i}", ["Extra"] = "x" }))], Token);
            return seeded = table;
        }
        finally
        {
            SeedLock.Release();
        }
    }

    [Fact]
    public async Task QueryFollowsContinuationsAcrossPages()
    {
        await SeededAsync();
        var (options, counter) = RequestCounter.Options();
        var table = TableTestSupport.Service(azurite, Prefix, options).GetTableClient("many");
        var all = await table.QueryAsync(cancellationToken: Token).ToListAsync();
        Assert.Equal(2500, all.Count);
        Assert.Equal(3, counter.Count); // pages of 1000, 1000, 500
        Assert.Equal(Enumerable.Range(0, 2500), all.Select(e => e.GetInt32("N")!.Value).Order());
        Assert.All(all, e => Assert.False(e.ETag.IsEmpty));
    }

    [Fact]
    public async Task TopLimitsPageSizeAndPagesChain()
    {
        var table = await SeededAsync();
        var filter = TableFilter.PartitionKey.Eq("p3");
        var first = await table.QueryPageAsync(filter, maxPerPage: 120, cancellationToken: Token);
        Assert.Equal(120, first.Entities.Count);
        Assert.NotNull(first.Continuation);

        var pages = 1;
        var total = first.Entities.Count;
        for (var page = first; page.Continuation is not null; pages++, total += page.Entities.Count)
        {
            page = await table.QueryPageAsync(filter, maxPerPage: 120, continuation: page.Continuation, cancellationToken: Token);
            Assert.True(page.Entities.Count <= 120);
        }
        Assert.Equal((500, 5), (total, pages));

        var limited = await table.QueryAsync(filter, maxPerPage: 30, maxResults: 75, cancellationToken: Token).ToListAsync();
        Assert.Equal(75, limited.Count);
    }

    [Fact]
    public async Task SelectReturnsOnlyTheListedProperties()
    {
        var table = await SeededAsync();
        var filter = TableFilter.PartitionKey.Eq("p1").And(TableFilter.Property("N").Ge(900));
        var selected = await table.QueryAsync(filter, select: ["RowKey", "N"], cancellationToken: Token).ToListAsync();
        Assert.Equal(100, selected.Count);
        Assert.All(selected, e =>
        {
            Assert.Equal(["N"], e.Keys);
            Assert.StartsWith("r", e.RowKey);
            Assert.InRange(e.GetInt64("N")!.Value, 900, 999);
        });
    }

    [Fact]
    public async Task RangeFiltersOnKeys()
    {
        var table = await SeededAsync();
        var filter = TableFilter.PartitionKey.Eq("p4") & TableFilter.RowKey.Ge("r0100") & TableFilter.RowKey.Lt("r0110");
        var range = await table.QueryAsync(filter, cancellationToken: Token).ToListAsync();
        Assert.Equal(Enumerable.Range(100, 10).Select(i => $"r{i:D4}"), range.Select(e => e.RowKey));
    }
}
