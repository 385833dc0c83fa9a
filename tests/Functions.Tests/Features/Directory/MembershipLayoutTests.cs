using ManagedDistribution.Features.Directory;
using ManagedDistribution.Platform.Storage;
using ManagedDistribution.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace ManagedDistribution.Tests.Features.Directory;

/// <summary>A group's members live in the members' bucket partitions (users' or devices' buckets). Listings stay in id order.</summary>
public sealed class MembershipLayoutTests(AzuriteFixture azurite) : IAsyncDisposable
{
    readonly DirectoryTestHost host = new(azurite);
    static CancellationToken Cancel => DirectoryTestHost.Cancel;

    [Fact]
    public async Task UserGroupMembersAreSpreadOverBucketPartitionsAndListInIdOrder()
    {
        var ids = await host.SeedUsersAsync(40);
        await host.CreateGroupAsync("user-groups", "bucketed");
        await host.PostJsonAsync("/api/user-groups/bucketed/members", new { ids });

        var tables = host.App.Services.GetRequiredService<DirectoryTables>();
        var rows = new List<TableEntity>();
        await foreach (var row in tables.GroupMembers.QueryAsync(MembershipEntity.MembersOf(GroupKind.User, "bucketed"), cancellationToken: Cancel)) rows.Add(row);
        Assert.Equal(ids.Order(StringComparer.Ordinal), rows.Select(r => r.RowKey).Order(StringComparer.Ordinal));
        Assert.All(rows, r => Assert.Equal($"u:bucketed|{UserEntity.BucketOf(r.RowKey):x2}", r.PartitionKey));
        Assert.True(rows.Select(r => r.PartitionKey).Distinct().Count() > 10);

        // Pages of 7 in id order, whichever bucket each member is in.
        var listed = new List<string>();
        string? token = null;
        do
        {
            var page = await host.ReadAsync<Page<MemberDto>>(await host.Client.GetAsync(
                "/api/user-groups/bucketed/members?pageSize=7" + (token is null ? "" : "&continuationToken=" + Uri.EscapeDataString(token)), Cancel));
            Assert.True(page.Items.Count <= 7);
            listed.AddRange(page.Items.Select(m => m.Id));
            token = page.ContinuationToken;
        }
        while (token is not null);
        Assert.Equal(ids.Order(StringComparer.Ordinal), listed);

        // A member's groups are confirmed against the member's bucket partition.
        Assert.Single(await host.ReadAsync<MembershipDto[]>(await host.Client.GetAsync($"/api/users/{ids[3]}/groups", Cancel)));
    }

    [Fact]
    public async Task DeviceGroupMembersAreSpreadOverTheirDeviceBucketsAndListInIdOrder()
    {
        var ids = Enumerable.Range(0, 40).Select(i => $"IPAD-{i:D2}").ToList();
        foreach (var id in ids) host.Devices.UserOfDevice[id] = null;
        await host.CreateGroupAsync("device-groups", "cart");
        await host.PostJsonAsync("/api/device-groups/cart/members", new { ids = ids.AsEnumerable().Reverse().ToArray() });

        var tables = host.App.Services.GetRequiredService<DirectoryTables>();
        var rows = new List<TableEntity>();
        await foreach (var row in tables.GroupMembers.QueryAsync(MembershipEntity.MembersOf(GroupKind.Device, "cart"), cancellationToken: Cancel)) rows.Add(row);
        Assert.Equal(ids, rows.Select(r => r.RowKey).Order(StringComparer.Ordinal));
        // The member's bucket is its device row's bucket (devices table "device-{bucket}").
        Assert.All(rows, r => Assert.Equal($"d:cart|{StableHash.Bucket(r.RowKey, 64):x2}", r.PartitionKey));
        Assert.All(rows, r => Assert.Equal(ManagedDistribution.Features.Devices.Registry.DeviceRecord.PartitionKeyFor(r.RowKey)["device-".Length..],
            r.PartitionKey["d:cart|".Length..]));
        Assert.True(rows.Select(r => r.PartitionKey).Distinct().Count() > 10);
        Assert.Empty(await QueryPartitionAsync(tables, "d:cart"));

        var listed = new List<string>();
        string? token = null;
        do
        {
            var page = await host.ReadAsync<Page<MemberDto>>(await host.Client.GetAsync(
                "/api/device-groups/cart/members?pageSize=7" + (token is null ? "" : "&continuationToken=" + Uri.EscapeDataString(token)), Cancel));
            Assert.True(page.Items.Count <= 7);
            listed.AddRange(page.Items.Select(m => m.Id));
            token = page.ContinuationToken;
        }
        while (token is not null);
        Assert.Equal(ids, listed);

        // A device's groups are confirmed by a point read in its bucket partition of each group.
        var memberships = host.App.Services.GetRequiredService<MembershipStore>();
        Assert.Equal(["cart"], (await memberships.GroupsOfMemberAsync(GroupKind.Device, ids[5], Cancel)).Select(g => g.GroupId));
        await memberships.RemoveAsync(GroupKind.Device, "cart", [ids[5]], Cancel);
        Assert.Empty(await memberships.GroupsOfMemberAsync(GroupKind.Device, ids[5], Cancel));
        Assert.Equal(ids.Count - 1, (await memberships.MemberIdsAsync(GroupKind.Device, "cart", Cancel)).Count);
    }

    static async Task<List<TableEntity>> QueryPartitionAsync(DirectoryTables tables, string partition)
    {
        var rows = new List<TableEntity>();
        await foreach (var row in tables.GroupMembers.QueryAsync(TableFilter.PartitionKey.Eq(partition), cancellationToken: Cancel)) rows.Add(row);
        return rows;
    }

    public ValueTask DisposeAsync() => host.DisposeAsync();
}
