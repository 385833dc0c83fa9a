using ManagedDistribution.Platform.Storage;
using ManagedDistribution.Tests.Infrastructure;

namespace ManagedDistribution.Tests.Platform.Storage;

/// <summary>Entity group transactions: all-or-nothing in Azurite, rules enforced before sending.</summary>
public class TableTransactionTests(AzuriteFixture azurite)
{
    static readonly string Prefix = AzuriteFixture.NewPrefix();
    static CancellationToken Token => TestContext.Current.CancellationToken;

    static TableTransactionAction Add(string pk, string rk, int n) =>
        new(TableTransactionActionType.Add, new TableEntity(pk, rk) { ["N"] = n });

    [Fact]
    public async Task AFailingOperationWritesNothingAndIsNamed()
    {
        var table = await TableTestSupport.CreateTableAsync(azurite, Prefix, "failing");
        await table.AddEntityAsync(new TableEntity("p", "r057") { ["N"] = -1 }, Token);

        List<TableTransactionAction> actions = [.. Enumerable.Range(0, 100).Select(i => Add("p", $"r{i:D3}", i))];
        var failure = await Assert.ThrowsAsync<TableTransactionFailedException>(() => table.SubmitTransactionAsync(actions, Token));
        Assert.Equal((57, 409, "EntityAlreadyExists"), (failure.FailedIndex, failure.Status, failure.ErrorCode));
        Assert.Contains("operation 57 of 100", failure.Message);

        var stored = await table.QueryAsync(TableFilter.PartitionKey.Eq("p"), cancellationToken: Token).ToListAsync();
        Assert.Equal(-1, Assert.Single(stored).GetInt32("N"));
    }

    [Fact]
    public async Task AStaleETagInsideATransactionFailsIt()
    {
        var table = await TableTestSupport.CreateTableAsync(azurite, Prefix, "staleBatch");
        var old = await table.AddEntityAsync(new TableEntity("p", "a") { ["N"] = 1 }, Token);
        await table.UpdateEntityAsync(new TableEntity("p", "a") { ["N"] = 2 }, old, cancellationToken: Token);

        var failure = await Assert.ThrowsAsync<TableTransactionFailedException>(() => table.SubmitTransactionAsync(
            [Add("p", "b", 1), new(TableTransactionActionType.UpdateMerge, new TableEntity("p", "a") { ["N"] = 3 }, old)], Token));
        Assert.Equal((1, 412), (failure.FailedIndex, failure.Status));
        Assert.True(failure.IsPreconditionFailed);
        Assert.Null(await table.GetEntityAsync("p", "b", cancellationToken: Token));
    }

    [Fact]
    public async Task EveryActionKindSucceedsAndReturnsETags()
    {
        var table = await TableTestSupport.CreateTableAsync(azurite, Prefix, "kinds");
        var etagA = await table.AddEntityAsync(new TableEntity("p", "a") { ["N"] = 1, ["Keep"] = "k" }, Token);
        await table.AddEntityAsync(new TableEntity("p", "b") { ["N"] = 1, ["Drop"] = "d" }, Token);
        await table.AddEntityAsync(new TableEntity("p", "c"), Token);

        var etags = await table.SubmitTransactionAsync(
        [
            new(TableTransactionActionType.UpdateMerge, new TableEntity("p", "a") { ["N"] = 2 }, etagA),
            new(TableTransactionActionType.UpdateReplace, new TableEntity("p", "b") { ["N"] = 2 }),
            new(TableTransactionActionType.Delete, new TableEntity("p", "c")),
            new(TableTransactionActionType.UpsertMerge, new TableEntity("p", "d") { ["N"] = 2 }),
            new(TableTransactionActionType.UpsertReplace, new TableEntity("p", "e") { ["N"] = 2 }),
            Add("p", "f", 2),
        ], Token);

        Assert.Equal(6, etags.Count);
        Assert.True(etags[2].IsEmpty);
        var stored = (await table.QueryAsync(TableFilter.PartitionKey.Eq("p"), cancellationToken: Token).ToListAsync()).ToDictionary(e => e.RowKey);
        Assert.Equal(["a", "b", "d", "e", "f"], stored.Keys.Order());
        Assert.All(stored.Values, e => Assert.Equal(2, e.GetInt32("N")));
        Assert.Equal("k", stored["a"].GetString("Keep"));
        Assert.False(stored["b"].ContainsKey("Drop"));
        foreach (var (rowKey, index) in new[] { ("a", 0), ("b", 1), ("d", 3), ("e", 4), ("f", 5) })
            Assert.Equal(stored[rowKey].ETag, etags[index]);
    }

    [Fact]
    public async Task RuleBreakingTransactionsAreRefusedBeforeSending()
    {
        var (options, counter) = RequestCounter.Options();
        var table = TableTestSupport.Service(azurite, Prefix, options).GetTableClient("refused");

        await Assert.ThrowsAsync<ArgumentException>(() => table.SubmitTransactionAsync([Add("p1", "a", 1), Add("p2", "b", 2)], Token));
        await Assert.ThrowsAsync<ArgumentException>(() => table.SubmitTransactionAsync([.. Enumerable.Range(0, 101).Select(i => Add("p", $"r{i}", i))], Token));
        await Assert.ThrowsAsync<ArgumentException>(() => table.SubmitTransactionAsync([Add("p", "a", 1), Add("p", "a", 2)], Token));
        await Assert.ThrowsAsync<ArgumentException>(() => table.SubmitTransactionAsync([], Token));
        await Assert.ThrowsAsync<ArgumentException>(() => table.SubmitTransactionAsync(
            [.. Enumerable.Range(0, 100).Select(i => new TableTransactionAction(TableTransactionActionType.Add,
                new TableEntity("p", $"r{i}") { ["A"] = new string('x', 30_000), ["B"] = new string('y', 30_000) }))], Token));

        Assert.Equal(0, counter.Count);
    }
}
