using ManagedDistribution.Features.Directory;
using ManagedDistribution.Features.Invitations;
using ManagedDistribution.Platform.Storage;
using ManagedDistribution.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace ManagedDistribution.Tests.Features.Invitations;

/// <summary>States live in eight tables by user bucket; bulk reads, saves and claims find them there.</summary>
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
            var table = ManagedDistributionStore.TableNameFor(id);
            Assert.Equal(ManagedDistributionStore.TableNamePrefix + UserEntity.BucketOf(id) / 8, table);
            Assert.NotNull(await service.GetTableClient(table).GetEntityAsync(UserEntity.PartitionKeyFor(id), id, cancellationToken: Cancel));
        }
        Assert.True(ids.Select(ManagedDistributionStore.TableNameFor).Distinct().Count() == ManagedDistributionStore.TableCount);

        var read = await store.ReadManyAsync(ids, Cancel);
        Assert.All(ids, id => Assert.Equal("code-" + id, read[id].InviteCode));

        // A claim on a stale ETag loses; the others win.
        var claims = saved.Select(s => (s.UserId, s.ETag)).ToList();
        await store.MergeAsync(ids[7], new Dictionary<string, object?> { ["DeliveryStatus"] = "x" }, Cancel);
        var won = await store.ClaimManyAsync(claims, "campaign-1", DateTimeOffset.UnixEpoch, Cancel);
        Assert.Equal(299, won.Count);
        Assert.DoesNotContain(ids[7], won.Keys);
        Assert.Equal("campaign-1", (await store.GetAsync(ids[8], Cancel)).InvitedBy);
    }
}
