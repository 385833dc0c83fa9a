using ManagedDistribution.Platform.Storage;
using ManagedDistribution.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ManagedDistribution.Tests.Platform.Storage;

/// <summary>Single-entity operations and concurrency against Azurite.</summary>
public class TableClientTests(AzuriteFixture azurite)
{
    static readonly string Prefix = AzuriteFixture.NewPrefix();
    static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CreateIfNotExistsReportsWhetherItCreated()
    {
        var table = TableTestSupport.Service(azurite, Prefix).GetTableClient("create");
        Assert.True(await table.CreateIfNotExistsAsync(Token));
        Assert.False(await table.CreateIfNotExistsAsync(Token));
        Assert.True(await table.DeleteAsync(Token));
        Assert.False(await table.DeleteAsync(Token));
    }

    [Fact]
    public async Task AddThenGetReturnsTheEntityAndItsETag()
    {
        var table = await TableTestSupport.CreateTableAsync(azurite, Prefix, "addget");
        var etag = await table.AddEntityAsync(new TableEntity("p", "r") { ["Name"] = "first", ["Count"] = 7 }, Token);
        Assert.False(etag.IsEmpty);

        var read = await table.GetEntityAsync("p", "r", cancellationToken: Token);
        Assert.NotNull(read);
        Assert.Equal(etag, read.ETag);
        Assert.Equal("first", read.GetString("Name"));
        Assert.Equal(7, read.GetInt32("Count"));
        Assert.NotNull(read.Timestamp);
        Assert.Null(await table.GetEntityAsync("p", "missing", cancellationToken: Token));

        var duplicate = await Assert.ThrowsAsync<StorageRequestFailedException>(() => table.AddEntityAsync(new TableEntity("p", "r"), Token));
        Assert.Equal((409, "EntityAlreadyExists"), (duplicate.Status, duplicate.ErrorCode));
    }

    [Fact]
    public async Task StaleETagIsAPreconditionFailure()
    {
        var table = await TableTestSupport.CreateTableAsync(azurite, Prefix, "stale");
        var first = await table.AddEntityAsync(new TableEntity("p", "r") { ["V"] = 1 }, Token);
        var second = await table.UpdateEntityAsync(new TableEntity("p", "r") { ["V"] = 2 }, first, cancellationToken: Token);
        Assert.NotEqual(first, second);

        var stale = await Assert.ThrowsAsync<StorageRequestFailedException>(
            () => table.UpdateEntityAsync(new TableEntity("p", "r") { ["V"] = 3 }, first, TableUpdateMode.Merge, Token));
        Assert.True(stale.IsPreconditionFailed);
        Assert.Equal("UpdateConditionNotSatisfied", stale.ErrorCode);
        var deleteStale = await Assert.ThrowsAsync<StorageRequestFailedException>(() => table.DeleteEntityAsync("p", "r", first, Token));
        Assert.True(deleteStale.IsPreconditionFailed);

        Assert.True(await table.DeleteEntityAsync("p", "r", second, Token));
        Assert.False(await table.DeleteEntityAsync("p", "r", ETag.All, Token));
    }

    [Fact]
    public async Task UpdateWithStarOnAMissingEntityIsNotFound()
    {
        var table = await TableTestSupport.CreateTableAsync(azurite, Prefix, "star");
        var missing = await Assert.ThrowsAsync<StorageRequestFailedException>(
            () => table.UpdateEntityAsync(new TableEntity("p", "nope") { ["V"] = 1 }, ETag.All, cancellationToken: Token));
        Assert.True(missing.IsNotFound);
        Assert.Null(await table.GetEntityAsync("p", "nope", cancellationToken: Token));
        await Assert.ThrowsAsync<ArgumentException>(() => table.UpdateEntityAsync(new TableEntity("p", "x"), default, cancellationToken: Token));
    }

    [Fact]
    public async Task UpsertCreatesReplacesAndMerges()
    {
        var table = await TableTestSupport.CreateTableAsync(azurite, Prefix, "upsert");
        await table.UpsertEntityAsync(new TableEntity("p", "r") { ["A"] = "a1", ["B"] = "b1" }, cancellationToken: Token);
        await table.UpsertEntityAsync(new TableEntity("p", "r") { ["A"] = "a2" }, TableUpdateMode.Replace, Token);
        var replaced = await table.GetEntityAsync("p", "r", cancellationToken: Token);
        Assert.Equal("a2", replaced!.GetString("A"));
        Assert.False(replaced.ContainsKey("B"));

        await table.UpsertEntityAsync(new TableEntity("p", "r") { ["B"] = "b3" }, TableUpdateMode.Merge, Token);
        var merged = await table.GetEntityAsync("p", "r", cancellationToken: Token);
        Assert.Equal(("a2", "b3"), (merged!.GetString("A"), merged.GetString("B")));

        var etag = await table.UpdateEntityAsync(new TableEntity("p", "r") { ["C"] = 3 }, merged.ETag, TableUpdateMode.Merge, Token);
        var updated = await table.GetEntityAsync("p", "r", cancellationToken: Token);
        Assert.Equal((etag, "a2", 3), (updated!.ETag, updated.GetString("A"), updated.GetInt32("C")));
    }

    [Theory]
    [InlineData("r'1")]
    [InlineData("Zoë's \"50%\" & ü+ x")]
    [InlineData("''")]
    public async Task KeysWithQuotesAndReservedUrlCharactersRoundTrip(string key)
    {
        var table = await TableTestSupport.CreateTableAsync(azurite, Prefix, "keys");
        var etag = await table.UpsertEntityAsync(new TableEntity(key, key) { ["K"] = key }, cancellationToken: Token);
        var read = await table.GetEntityAsync(key, key, cancellationToken: Token);
        Assert.Equal((key, key, key), (read!.PartitionKey, read.RowKey, read.GetString("K")));
        await table.UpdateEntityAsync(new TableEntity(key, key) { ["K"] = "changed" }, etag, TableUpdateMode.Merge, Token);
        Assert.True(await table.DeleteEntityAsync(key, key, ETag.All, Token));
    }

    [Fact]
    public async Task FilterOnAnAwkwardStringMatchesExactlyThatEntity()
    {
        const string value = "Zoë's \"50%\" #1 & ü+";
        var table = await TableTestSupport.CreateTableAsync(azurite, Prefix, "awkward");
        string[] decoys = ["Zoë's \"50%\" #1 & ü", "Zoe's \"50%\" #1 & ü+", "Zoë''s \"50%\" #1 & ü+", "Zoë's \"50 \" #1 & ü+",
            "Zoë's \"50%\" #1 &amp; ü+", "Zoë's \"50%\" #1 & ü ", "Zoë's %2250%25%22 #1 & ü+", "zoë's \"50%\" #1 & ü+"];
        var actions = decoys.Select((d, i) => new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("p", $"decoy{i}") { ["Name"] = d }))
            .Append(new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("p", "target") { ["Name"] = value }))
            .ToList();
        await table.SubmitTransactionAsync(actions, Token);

        var found = await table.QueryAsync(TableFilter.Property("Name").Eq(value), cancellationToken: Token).ToListAsync();
        Assert.Equal("target", Assert.Single(found).RowKey);
        var byKey = await table.QueryAsync(TableFilter.PartitionKey.Eq("p").And(TableFilter.Property("Name").Ne(value)), cancellationToken: Token).ToListAsync();
        Assert.Equal(decoys.Length, byKey.Count);
    }

    [Fact]
    public async Task ErrorsCarryCodesButNeverTheKey()
    {
        var table = TableTestSupport.Service(azurite, Prefix).GetTableClient("neverCreated");
        var error = await Assert.ThrowsAsync<StorageRequestFailedException>(
            () => table.QueryAsync(cancellationToken: Token).ToListAsync());
        Assert.Equal((404, "TableNotFound"), (error.Status, error.ErrorCode));
        Assert.DoesNotContain(StorageAccount.DevelopmentAccountKey, error.ToString());
        Assert.DoesNotContain("SharedKeyLite", error.ToString());

        var wrongKey = new StorageAccount
        {
            AccountName = azurite.Account.AccountName,
            TableEndpoint = azurite.Account.TableEndpoint,
            QueueEndpoint = azurite.Account.QueueEndpoint,
            AccountKey = new byte[64],
        };
        var denied = await Assert.ThrowsAsync<StorageRequestFailedException>(
            () => new TableServiceClient(wrongKey, Options.Create(new StorageOptions { Prefix = Prefix })).GetTableClient("denied").CreateIfNotExistsAsync(Token));
        Assert.Equal(403, denied.Status);
        Assert.DoesNotContain("SharedKeyLite", denied.Message);
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("has-dash")]
    [InlineData("1abc")]
    public void TableNamesAreValidatedWithThePrefix(string name)
    {
        Assert.Throws<ArgumentException>(() => new TableServiceClient(azurite.Account, Options.Create(new StorageOptions())).GetTableClient(name));
        Assert.Equal(Prefix + "abc", TableTestSupport.Service(azurite, Prefix).GetTableClient("abc").Name);
    }

    [Fact]
    public async Task AddStorageRegistersOneServiceClientWithThePrefix()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Storage:Prefix"] = Prefix,
        }).Build();
        await using var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration)
            .AddStorage(configuration).BuildServiceProvider();

        var client = services.GetRequiredService<TableServiceClient>();
        Assert.Same(client, services.GetRequiredService<TableServiceClient>());
        var table = client.GetTableClient("fromDi");
        Assert.Equal(Prefix + "fromDi", table.Name);
        Assert.True(await table.CreateIfNotExistsAsync(Token));
    }
}
