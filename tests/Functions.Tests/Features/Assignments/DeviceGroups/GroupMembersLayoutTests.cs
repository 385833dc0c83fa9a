using ManagedDistribution.Features.Assignments.DeviceGroups;
using ManagedDistribution.Features.Directory;
using ManagedDistribution.Platform.Storage;
using ManagedDistribution.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static ManagedDistribution.Tests.Features.Assignments.AssignmentTestKit;

namespace ManagedDistribution.Tests.Features.Assignments.DeviceGroups;

/// <summary><see cref="GroupMembers"/> over the device-group members in their bucket tables and the device rows: join order kept, whatever the bucket.</summary>
public sealed class GroupMembersLayoutTests(AzuriteFixture azurite)
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task MembersComeInJoinOrderAcrossBucketsAndGroupsOfPointReadsTheDevicesBucket()
    {
        await using var host = await StartAsync(azurite);
        var enrolled = new[] { await EnrolAsync(host), await EnrolAsync(host, "macOS", "14.5"), await EnrolAsync(host) };
        // 1,200 members (more than a page), joined in reverse id order; the enrolled three last.
        var others = Enumerable.Range(0, 1_197).Select(i => $"M-{i:D5}").OrderDescending(StringComparer.Ordinal).ToList();
        var joinOrder = others.Concat(enrolled).ToList();
        var tables = host.App.Services.GetRequiredService<DirectoryTables>();
        await tables.EnsureCreatedAsync(Cancel);
        var start = DateTimeOffset.Parse("2025-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        await tables.GroupMembers.SubmitAsync(joinOrder.Select((id, i) => new TableTransactionAction(TableTransactionActionType.Add,
            MembershipEntity.Member(GroupKind.Device, "cart", id, start.AddSeconds(i)))), null, Cancel);
        await TableBulk.SubmitAsync(tables.MemberGroups, joinOrder.Select(id => new TableTransactionAction(TableTransactionActionType.Add,
            MembershipEntity.Index(GroupKind.Device, id, "cart", start))), null, Cancel);

        var members = host.App.Services.GetRequiredService<GroupMembers>();
        var all = await members.ReadAsync("cart", null, Cancel);
        Assert.Equal(joinOrder, all.Select(m => m.DeviceId));
        Assert.Equal(enrolled, all.Where(m => m.Device is not null).Select(m => m.DeviceId));
        Assert.Equal("macOS", all[^2].Device!.Platform);

        // A few named members: point reads in their buckets, still in join order.
        var some = await members.ReadAsync("cart", [enrolled[2], others[10], enrolled[0], "NOT-A-MEMBER"], Cancel);
        Assert.Equal([others[10], enrolled[0], enrolled[2]], some.Select(m => m.DeviceId));
        Assert.Equal((false, true, true), (some[0].Device is not null, some[1].Device is not null, some[2].Device is not null));

        Assert.Equal(1_200, (await members.MemberIdsAsync("cart", Cancel)).Count);
        // Each row sits in its device's bucket table only.
        var home = await tables.GroupMembers.BucketAsync(StableHash.Bucket(enrolled[1], 64), Cancel);
        var elsewhere = await tables.GroupMembers.BucketAsync((StableHash.Bucket(enrolled[1], 64) + 1) % 64, Cancel);
        var partition = MembershipEntity.MembersPartitionFor(GroupKind.Device, "cart", enrolled[1]);
        Assert.NotNull(await home.GetEntityAsync(partition, enrolled[1], cancellationToken: Cancel));
        Assert.Null(await elsewhere.GetEntityAsync(partition, enrolled[1], cancellationToken: Cancel));
        Assert.Equal(["cart"], await members.GroupsOfAsync(enrolled[1], Cancel));
        // An index row without its member row (a crash between the two writes) is not a membership.
        await tables.MemberGroups.UpsertEntityAsync(MembershipEntity.Index(GroupKind.Device, enrolled[1], "ghost", start), cancellationToken: Cancel);
        Assert.Equal(["cart"], await members.GroupsOfAsync(enrolled[1], Cancel));
    }
}
