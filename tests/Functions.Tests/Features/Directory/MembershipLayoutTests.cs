using ManagedDistribution.Features.Directory;
using ManagedDistribution.Platform.Storage;
using ManagedDistribution.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace ManagedDistribution.Tests.Features.Directory;

/// <summary>A user group's members live in the members' bucket partitions; a device group's in one partition. Listings stay in id order.</summary>
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
    public async Task DeviceGroupMembersStayInOnePartition()
    {
        host.Devices.UserOfDevice["IPAD-1"] = null;
        host.Devices.UserOfDevice["IPAD-2"] = null;
        await host.CreateGroupAsync("device-groups", "cart");
        await host.PostJsonAsync("/api/device-groups/cart/members", new { ids = new[] { "IPAD-2", "IPAD-1" } });

        var tables = host.App.Services.GetRequiredService<DirectoryTables>();
        var rows = new List<TableEntity>();
        await foreach (var row in tables.GroupMembers.QueryAsync(TableFilter.PartitionKey.Eq("d:cart"), cancellationToken: Cancel)) rows.Add(row);
        Assert.Equal(["IPAD-1", "IPAD-2"], rows.Select(r => r.RowKey));
        Assert.Equal("d:cart", MembershipEntity.MembersPartitionFor(GroupKind.Device, "cart"));
        Assert.Throws<ArgumentException>(() => MembershipEntity.MembersPartitionFor(GroupKind.User, "cart"));
    }

    public ValueTask DisposeAsync() => host.DisposeAsync();
}
