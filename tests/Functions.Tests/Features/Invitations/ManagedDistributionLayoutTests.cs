using ManagedDistribution.Features.Directory;
using ManagedDistribution.Features.Invitations;
using ManagedDistribution.Platform.Storage;
using ManagedDistribution.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace ManagedDistribution.Tests.Features.Invitations;

/// <summary>States live in one table per user bucket, in 16 sub-bucket partitions; bulk reads, saves and claims find them there.</summary>
public sealed class ManagedDistributionLayoutTests(AzuriteFixture azurite)
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task StatesAreShardedByBucketAndClaimedInBulk()
    {
        var service = new TableServiceClient(azurite.Account, Options.Create(new StorageOptions { Prefix = AzuriteFixture.NewPrefix() }));
        var store = new ManagedDistributionStore(service);
        var ids = Enumerable.Range(0, 300).Select(i => $"user{i:D4}").ToList();
        var saved = await store.SaveManyAsync([.. ids.Select(id => new ManagedDistributionState
        {
            UserId = id, Enabled = true, Status = EnrolmentStatus.NotInvited, InviteCode = "code-" + id,
        })], Cancel);
        Assert.Equal(300, saved.Count);

        foreach (var id in ids.Take(40))
        {
            var table = ManagedDistributionLayout.TableNameFor(id);
            Assert.Equal(ManagedDistributionLayout.TableNamePrefix + UserEntity.BucketOf(id), table);
            Assert.NotNull(await service.GetTableClient(table).GetEntityAsync(ManagedDistributionLayout.PartitionKeyFor(id), id, cancellationToken: Cancel));
        }
        Assert.True(ids.Select(ManagedDistributionLayout.TableNameFor).Distinct().Count() > ManagedDistributionLayout.TableCount / 2);

        var read = await store.ReadManyAsync(ids, Cancel);
        Assert.All(ids, id => Assert.Equal("code-" + id, read[id].InviteCode));

        // A claim on a stale ETag loses; the others win.
        var claims = saved.Select(s => (s.UserId, s.ETag)).ToList();
        await store.UpdateAsync(ids[7], s => s with { DeliveryStatus = "x" }, Cancel);
        var won = await store.ClaimManyAsync(claims, "campaign-1", 3, DateTimeOffset.UnixEpoch, Cancel);
        Assert.Equal(299, won.Count);
        Assert.DoesNotContain(ids[7], won.Keys);
        Assert.Equal(("campaign-1", (int?)3), ((await store.GetAsync(ids[8], Cancel)).InvitedBy, (await store.GetAsync(ids[8], Cancel)).InvitedChunk));
    }

    [Fact]
    public void PartitionsAreSubBucketsOfTheDirectoryBucket()
    {
        var ids = Enumerable.Range(0, 5000).Select(i => $"member-{i}").ToList();
        foreach (var id in ids.Take(200))
        {
            var hash = StableHash.Fnv1a(id);
            Assert.Equal($"{UserEntity.PartitionKeyFor(id)}-{hash / 64 % 16:x1}", ManagedDistributionLayout.PartitionKeyFor(id));
        }
        Assert.Equal(UserEntity.Buckets * ManagedDistributionLayout.SubBuckets, ids.Select(ManagedDistributionLayout.PartitionKeyFor).Distinct().Count());
        // Sorted by partition, a bucket's ids stay together (the planner's order, so chunks write few partitions).
        var buckets = ids.OrderBy(ManagedDistributionLayout.PartitionKeyFor, StringComparer.Ordinal).Select(UserEntity.BucketOf).ToList();
        Assert.Equal(buckets.Order(), buckets);
    }

    [Fact]
    public async Task BulkReadsFindEverySubBucketOfABucket()
    {
        var service = new TableServiceClient(azurite.Account, Options.Create(new StorageOptions { Prefix = AzuriteFixture.NewPrefix() }));
        var store = new ManagedDistributionStore(service);
        // 200 users of bucket 5, over its sub-buckets, plus users of other buckets that must not leak in.
        var bucket5 = Enumerable.Range(0, 20_000).Select(i => $"u{i}").Where(id => UserEntity.BucketOf(id) == 5).Take(200).ToList();
        var others = Enumerable.Range(0, 100).Select(i => $"other{i}").Where(id => UserEntity.BucketOf(id) != 5).ToList();
        Assert.True(bucket5.Select(ManagedDistributionLayout.PartitionKeyFor).Distinct().Count() > 8);
        await store.SaveManyAsync([.. bucket5.Concat(others).Select(id => new ManagedDistributionState { UserId = id, Enabled = true, InviteCode = "c-" + id })], Cancel);

        var wanted = bucket5.Where((_, i) => i % 3 != 0).Append("u-never-enabled").ToList();
        var read = await store.ReadManyAsync(wanted, Cancel);
        Assert.Equal(wanted.Count, read.Count);
        Assert.All(wanted.SkipLast(1), id => Assert.Equal("c-" + id, read[id].InviteCode));
        Assert.False(read["u-never-enabled"].Enabled);
    }
}
