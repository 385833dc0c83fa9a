using ManagedDistribution.Features.Directory;
using ManagedDistribution.Platform.Storage;
using ManagedDistribution.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace ManagedDistribution.Tests.Features.Directory;

/// <summary>
/// A group's members live in the members' bucket partitions (users' or devices' buckets), each in
/// the table of its bucket (<c>groupmembers{n}</c>). Listings stay in id order across the tables.
/// </summary>
public sealed class MembershipLayoutTests(AzuriteFixture azurite) : IAsyncDisposable
{
    readonly DirectoryTestHost host = new(azurite);
    static CancellationToken Cancel => DirectoryTestHost.Cancel;

    DirectoryTables Tables => host.App.Services.GetRequiredService<DirectoryTables>();
    MembershipStore Memberships => host.App.Services.GetRequiredService<MembershipStore>();

    [Fact]
    public async Task UserGroupMembersAreSpreadOverBucketTablesAndListInIdOrder()
    {
        var ids = await host.SeedUsersAsync(40);
        await host.CreateGroupAsync("user-groups", "bucketed");
        await host.PostJsonAsync("/api/user-groups/bucketed/members", new { ids });

        var rows = await RowsAsync(GroupKind.User, "bucketed");
        Assert.Equal(ids.Order(StringComparer.Ordinal), rows.Select(r => r.Row.RowKey).Order(StringComparer.Ordinal));
        Assert.All(rows, r => Assert.Equal($"u:bucketed|{UserEntity.BucketOf(r.Row.RowKey):x2}", r.Row.PartitionKey));
        Assert.All(rows, r => Assert.Equal(UserEntity.BucketOf(r.Row.RowKey), r.Table));
        Assert.True(rows.Select(r => r.Table).Distinct().Count() > 10);

        // Pages of 7 in id order, whichever bucket table each member is in.
        Assert.Equal(ids.Order(StringComparer.Ordinal), await ListAllAsync("/api/user-groups/bucketed/members", 7));

        // A member's groups are confirmed against the member's bucket table.
        Assert.Single(await host.ReadAsync<MembershipDto[]>(await host.Client.GetAsync($"/api/users/{ids[3]}/groups", Cancel)));
        await AssertOldTableUnusedAsync();
    }

    [Fact]
    public async Task DeviceGroupMembersAreSpreadOverTheirDeviceBucketTablesAndListInIdOrder()
    {
        var ids = Enumerable.Range(0, 40).Select(i => $"IPAD-{i:D2}").ToList();
        foreach (var id in ids) host.Devices.UserOfDevice[id] = null;
        await host.CreateGroupAsync("device-groups", "cart");
        await host.PostJsonAsync("/api/device-groups/cart/members", new { ids = ids.AsEnumerable().Reverse().ToArray() });

        var rows = await RowsAsync(GroupKind.Device, "cart");
        Assert.Equal(ids, rows.Select(r => r.Row.RowKey).Order(StringComparer.Ordinal));
        // The member's bucket is its device row's bucket (devices table "device-{bucket}"), and that bucket's table.
        Assert.All(rows, r => Assert.Equal($"d:cart|{StableHash.Bucket(r.Row.RowKey, 64):x2}", r.Row.PartitionKey));
        Assert.All(rows, r => Assert.Equal(ManagedDistribution.Features.Devices.Registry.DeviceRecord.PartitionKeyFor(r.Row.RowKey)["device-".Length..],
            r.Row.PartitionKey["d:cart|".Length..]));
        Assert.All(rows, r => Assert.Equal(StableHash.Bucket(r.Row.RowKey, 64), r.Table));
        Assert.True(rows.Select(r => r.Table).Distinct().Count() > 10);

        Assert.Equal(ids, await ListAllAsync("/api/device-groups/cart/members", 7));

        // A device's groups are confirmed by a point read in its bucket table of each group.
        Assert.Equal(["cart"], (await Memberships.GroupsOfMemberAsync(GroupKind.Device, ids[5], Cancel)).Select(g => g.GroupId));
        await Memberships.RemoveAsync(GroupKind.Device, "cart", [ids[5]], Cancel);
        Assert.Empty(await Memberships.GroupsOfMemberAsync(GroupKind.Device, ids[5], Cancel));
        Assert.Equal(ids.Count - 1, (await Memberships.MemberIdsAsync(GroupKind.Device, "cart", Cancel)).Count);
        Assert.DoesNotContain(ids[5], (await RowsAsync(GroupKind.Device, "cart")).Select(r => r.Row.RowKey));
    }

    [Fact]
    public async Task ImportAndRemovalWriteTheMembersBucketTables()
    {
        var ids = await host.SeedUsersAsync(30, "imp");
        await host.CreateGroupAsync("user-groups", "first");
        await host.CreateGroupAsync("user-groups", "second");
        var body = ids.Select(id => new { groupId = "first", userId = id }).Concat(ids.Take(10).Select(id => new { groupId = "second", userId = id }));
        var imported = await host.ReadAsync<ImportResult>(await host.PostJsonAsync("/api/user-groups/import", body));
        Assert.Equal((40, 0), (imported.Created, imported.Rejected));

        var first = await RowsAsync(GroupKind.User, "first");
        Assert.Equal(ids, first.Select(r => r.Row.RowKey).Order(StringComparer.Ordinal));
        Assert.All(first, r => Assert.Equal(UserEntity.BucketOf(r.Row.RowKey), r.Table));
        Assert.Equal(ids.Take(10), (await RowsAsync(GroupKind.User, "second")).Select(r => r.Row.RowKey).Order(StringComparer.Ordinal));

        // Removal deletes the rows from their bucket tables; the other group keeps its rows there.
        var removed = await host.ReadAsync<MembersRemoved>(await host.PostJsonAsync("/api/user-groups/first/members/remove", new { ids = ids.Take(20) }));
        Assert.Equal((20, 10), (removed.Removed, removed.MemberCount));
        Assert.Equal(ids.Skip(20), (await RowsAsync(GroupKind.User, "first")).Select(r => r.Row.RowKey).Order(StringComparer.Ordinal));
        Assert.Equal(10, (await RowsAsync(GroupKind.User, "second")).Count);
        Assert.Equal(["second"], (await Memberships.GroupsOfMemberAsync(GroupKind.User, ids[0], Cancel)).Select(g => g.GroupId));
        await AssertOldTableUnusedAsync();
    }

    [Fact]
    public async Task ABucketHoldingMoreThanAPageListsAndReadsWhole()
    {
        // 1,001 members in bucket 7 (more than a 1,000-row page of one table) and 40 spread over the others.
        var crowded = Candidates().Where(id => UserEntity.BucketOf(id) == 7).Take(1_001).ToList();
        var spread = Candidates().Where(id => UserEntity.BucketOf(id) != 7).Take(40).ToList();
        var all = crowded.Concat(spread).Order(StringComparer.Ordinal).ToList();
        await host.CreateGroupAsync("user-groups", "big");
        await Memberships.AddAsync(GroupKind.User, new Dictionary<string, IReadOnlyCollection<string>> { ["big"] = all }, Cancel);

        Assert.Equal(all.Count, (await Memberships.MemberIdsAsync(GroupKind.User, "big", Cancel)).Count);
        var first = await Memberships.ListAsync(GroupKind.User, "big", null, 1_000, Cancel);
        Assert.Equal(all.Take(1_000), first.Items.Select(r => r.RowKey));
        Assert.NotNull(first.NextAfter);
        var second = await Memberships.ListAsync(GroupKind.User, "big", first.NextAfter, 1_000, Cancel);
        Assert.Equal(all.Skip(1_000), second.Items.Select(r => r.RowKey));
        Assert.Null(second.NextAfter);

        // A page that ends exactly at the last member hands out no token.
        var exact = await Memberships.ListAsync(GroupKind.User, "big", null, all.Count, Cancel);
        Assert.Equal((all.Count, null), (exact.Items.Count, exact.NextAfter));
    }

    static IEnumerable<string> Candidates() => Enumerable.Range(0, 200_000).Select(i => $"m{i:D6}");

    async Task<List<string>> ListAllAsync(string path, int pageSize)
    {
        var listed = new List<string>();
        string? token = null;
        do
        {
            var page = await host.ReadAsync<Page<MemberDto>>(await host.Client.GetAsync(
                $"{path}?pageSize={pageSize}" + (token is null ? "" : "&continuationToken=" + Uri.EscapeDataString(token)), Cancel));
            Assert.True(page.Items.Count <= pageSize);
            listed.AddRange(page.Items.Select(m => m.Id));
            token = page.ContinuationToken;
        }
        while (token is not null);
        return listed;
    }

    /// <summary>The group's rows in every bucket table, with the table's bucket.</summary>
    async Task<List<(int Table, TableEntity Row)>> RowsAsync(GroupKind kind, string groupId)
    {
        var key = MembershipEntity.GroupKey(kind, groupId);
        var rows = new List<(int, TableEntity)>();
        for (var bucket = 0; bucket < GroupMemberTables.Count; bucket++)
        {
            var table = await Tables.GroupMembers.BucketAsync(bucket, Cancel);
            await foreach (var row in table.QueryAsync(TableFilter.PartitionKey.Ge(key + "|").And(TableFilter.PartitionKey.Lt(key + "}")), cancellationToken: Cancel))
                rows.Add((bucket, row));
        }
        return rows;
    }

    /// <summary>Nothing creates or writes the former single <c>groupmembers</c> table.</summary>
    async Task AssertOldTableUnusedAsync()
    {
        var old = host.App.Services.GetRequiredService<TableServiceClient>().GetTableClient("groupmembers");
        var failure = await Assert.ThrowsAsync<StorageRequestFailedException>(async () => await old.QueryPageAsync(null, null, 1, null, Cancel));
        Assert.True(failure.IsNotFound);
    }

    public ValueTask DisposeAsync() => host.DisposeAsync();
}
