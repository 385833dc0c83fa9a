using System.Net;
using ManagedDistribution.Features.Directory;
using ManagedDistribution.Platform.Storage;
using ManagedDistribution.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace ManagedDistribution.Tests.Features.Directory;

/// <summary>
/// Users live in one table per bucket (<c>users{bucket}</c>, keys unchanged): point operations and
/// imports land in the user's bucket table, listings page across the tables in key order.
/// </summary>
public sealed class UserLayoutTests(AzuriteFixture azurite) : IAsyncDisposable
{
    readonly DirectoryTestHost host = new(azurite);
    static CancellationToken Cancel => DirectoryTestHost.Cancel;

    DirectoryTables Tables => host.App.Services.GetRequiredService<DirectoryTables>();
    UserStore Users => host.App.Services.GetRequiredService<UserStore>();

    [Fact]
    public async Task PointOperationsLandInTheUsersBucketTable()
    {
        Assert.Equal(HttpStatusCode.Created, (await host.PostJsonAsync("/api/users", new { id = "grace", shortName = "grace", fullName = "Grace" })).StatusCode);
        var bucket = UserEntity.BucketOf("grace");
        var own = await Tables.Users.BucketAsync(bucket, Cancel);
        var other = await Tables.Users.BucketAsync((bucket + 1) % UserTables.Count, Cancel);
        Assert.Equal(UserTables.NameOf(bucket), own.Name[^UserTables.NameOf(bucket).Length..]);

        var row = await own.GetEntityAsync(UserEntity.PartitionKeyFor("grace"), "grace", cancellationToken: Cancel);
        Assert.Equal("Grace", row?.GetString("FullName"));
        Assert.Null(await other.GetEntityAsync(UserEntity.PartitionKeyFor("grace"), "grace", cancellationToken: Cancel));

        Assert.Equal(HttpStatusCode.OK, (await host.PutJsonAsync("/api/users/grace", new { shortName = "grace", fullName = "Grace H" })).StatusCode);
        Assert.Equal("Grace H", (await own.GetEntityAsync(UserEntity.PartitionKeyFor("grace"), "grace", cancellationToken: Cancel))?.GetString("FullName"));
        Assert.Equal("Grace H", (await Users.GetAsync("grace", Cancel))?.GetString("FullName"));

        Assert.Equal(HttpStatusCode.NoContent, (await host.Client.DeleteAsync("/api/users/grace", Cancel)).StatusCode);
        Assert.Null(await own.GetEntityAsync(UserEntity.PartitionKeyFor("grace"), "grace", cancellationToken: Cancel));
    }

    [Fact]
    public async Task AnImportSpreadOverManyBucketsWritesEachRowToItsBucketTable()
    {
        var ids = await host.SeedUsersAsync(300);
        var buckets = ids.GroupBy(UserEntity.BucketOf).ToList();
        Assert.True(buckets.Count > 50);
        foreach (var bucket in buckets)
        {
            var table = await Tables.Users.BucketAsync(bucket.Key, Cancel);
            var rows = new List<TableEntity>();
            await foreach (var row in table.QueryAsync(cancellationToken: Cancel)) rows.Add(row);
            Assert.Equal(bucket.Order(StringComparer.Ordinal), rows.Select(r => r.RowKey));
            Assert.All(rows, r => Assert.Equal(UserEntity.PartitionKeyOfBucket(bucket.Key), r.PartitionKey));
        }
        var again = await host.ReadAsync<ImportResult>(await host.PostJsonAsync("/api/users/import",
            ids.Select(id => new { id, shortName = id[1..], fullName = "Renamed " + id })));
        Assert.Equal((0, ids.Count, 0), (again.Created, again.Updated, again.Unchanged));
        Assert.Equal("Renamed " + ids[^1], (await Users.GetAsync(ids[^1], Cancel))?.GetString("FullName"));
    }

    [Fact]
    public async Task ListingPagesAcrossBucketTablesInKeyOrder()
    {
        var ids = await host.SeedUsersAsync(150);
        var keyOrder = ids.OrderBy(UserEntity.PartitionKeyFor, StringComparer.Ordinal).ThenBy(id => id, StringComparer.Ordinal).ToList();

        var pages = await ListAllAsync(null, 7);
        Assert.Equal(keyOrder, pages.SelectMany(p => p));
        Assert.All(pages[..^1], p => Assert.Equal(7, p.Count));
        Assert.Equal(150 / 7 + 1, pages.Count);
        Assert.Contains(pages, p => p.Select(UserEntity.BucketOf).Distinct().Count() > 1);

        // A full last page says so: no token to an empty page.
        Assert.Equal(keyOrder, (await ListAllAsync(null, 150)).Single());
    }

    [Fact]
    public async Task SearchPagesAcrossBucketTablesInKeyOrder()
    {
        // Seeded short names are "u{i}" and full names "User {i}": "3" matches the users whose number has a 3.
        var ids = await host.SeedUsersAsync(150);
        var wanted = ids.Where(id => int.Parse(id[1..], System.Globalization.CultureInfo.InvariantCulture).ToString(System.Globalization.CultureInfo.InvariantCulture).Contains('3'))
            .OrderBy(UserEntity.PartitionKeyFor, StringComparer.Ordinal).ThenBy(id => id, StringComparer.Ordinal).ToList();
        Assert.True(wanted.Count > 20);

        var pages = await ListAllAsync("3", 4);
        Assert.Equal(wanted, pages.SelectMany(p => p));
        Assert.Contains(pages, p => p.Select(UserEntity.BucketOf).Distinct().Count() > 1);
    }

    [Fact]
    public async Task TheScanBudgetSpansBucketTables()
    {
        var ids = await host.SeedUsersAsync(120);
        var wanted = new HashSet<string>([ids[5], ids[60], ids[119]], StringComparer.Ordinal);
        var found = new List<string>();
        var requests = 0;
        PagePosition? after = null;
        do
        {
            var firstBucket = after is { } position ? UserEntity.FirstBucketFrom(position.PartitionKey) : 0;
            var (items, next) = await DirectoryPaging.ScanAsync(UserTables.Count, Tables.Users.BucketAsync, firstBucket, UserEntity.AllRows, null,
                after, 10, e => wanted.Contains(e.RowKey), 25, Cancel);
            found.AddRange(items.Select(e => e.RowKey));
            after = next;
            requests++;
        }
        while (after is not null);
        Assert.Equal(wanted.OrderBy(UserEntity.PartitionKeyFor, StringComparer.Ordinal).ThenBy(id => id, StringComparer.Ordinal), found);
        // 120 rows at 25 per request (a storage page can overshoot the budget within a table; tables here are tiny).
        Assert.InRange(requests, 4, 6);
    }

    [Fact]
    public async Task ATokenResumesInTheBucketItsPartitionNames()
    {
        var ids = await host.SeedUsersAsync(40);
        var keyOrder = ids.OrderBy(UserEntity.PartitionKeyFor, StringComparer.Ordinal).ThenBy(id => id, StringComparer.Ordinal).ToList();
        var (afterTenth, _) = await Users.ListAsync(null, new PagePosition(UserEntity.PartitionKeyFor(keyOrder[9]), keyOrder[9]), 100, Cancel);
        Assert.Equal(keyOrder[10..], afterTenth.Select(e => e.RowKey));
        var (beforeAll, _) = await Users.ListAsync(null, new PagePosition("a", "b"), 100, Cancel);
        Assert.Equal(keyOrder, beforeAll.Select(e => e.RowKey));
        var (afterAll, next) = await Users.ListAsync(null, new PagePosition("user-3f~", "b"), 100, Cancel);
        Assert.Empty(afterAll);
        Assert.Null(next);
    }

    [Fact]
    public async Task ReadManyAboveThePointReadLimitQueriesEachBucketTable()
    {
        var ids = await host.SeedUsersAsync(600);
        var asked = ids.Concat(Enumerable.Range(0, 50).Select(i => $"missing{i}")).ToList();
        var rows = await Users.ReadManyAsync(asked, ["ShortName"], Cancel);
        Assert.Equal(ids.Order(StringComparer.Ordinal), rows.Keys.Order(StringComparer.Ordinal));
        Assert.All(ids, id => Assert.Equal("u" + int.Parse(id[1..], System.Globalization.CultureInfo.InvariantCulture), rows[id].GetString("ShortName")));
        Assert.Null(rows[ids[0]].GetString("FullName"));
        Assert.Equal(600, (await Users.ExistingIdsAsync(asked, Cancel)).Count);
        Assert.Equal("User 7", (await Users.ReadManyAsync(asked, null, Cancel))[ids[7]].GetString("FullName"));
    }

    async Task<List<List<string>>> ListAllAsync(string? search, int pageSize)
    {
        var pages = new List<List<string>>();
        string? token = null;
        do
        {
            var url = $"/api/users?pageSize={pageSize}" + (search is null ? "" : "&search=" + search)
                + (token is null ? "" : "&continuationToken=" + Uri.EscapeDataString(token));
            var page = await host.ReadAsync<Page<UserDto>>(await host.Client.GetAsync(url, Cancel));
            pages.Add([.. page.Items.Select(u => u.Id)]);
            token = page.ContinuationToken;
        }
        while (token is not null);
        return pages;
    }

    public ValueTask DisposeAsync() => host.DisposeAsync();
}
