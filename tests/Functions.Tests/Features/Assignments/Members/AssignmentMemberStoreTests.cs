using ManagedDistribution.Features.Assignments;
using ManagedDistribution.Features.Assignments.Members;
using ManagedDistribution.Platform.Storage;
using ManagedDistribution.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace ManagedDistribution.Tests.Features.Assignments.Members;

/// <summary>The member store's bucket partitions: spread, stable, and invisible to readers (pages, counts, deletes).</summary>
public sealed class AssignmentMemberStoreTests(AzuriteFixture azurite)
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    readonly TableServiceClient service = new(azurite.Account, Options.Create(new StorageOptions { Prefix = AzuriteFixture.NewPrefix() }));

    static AssignmentMember Member(string groupId, string id, string state = MemberStates.Licensed, string contentId = "app-1") =>
        new(TargetKinds.DeviceGroup, groupId, contentId, id, state, null, DateTimeOffset.UnixEpoch);

    [Fact]
    public void Buckets_are_a_stable_fnv1a_hash_of_the_member_id()
    {
        // FNV-1a 32-bit of "a" is 0xe40c292c; of "" the offset basis 0x811c9dc5. Stored rows depend on these never changing.
        Assert.Equal((int)(0xe40c292cu % AssignmentMemberStore.Buckets), AssignmentMemberStore.BucketOf("a"));
        Assert.Equal((int)(0x811c9dc5u % AssignmentMemberStore.Buckets), AssignmentMemberStore.BucketOf(""));
        Assert.Equal("device-group|g|app-1|2c", AssignmentMemberStore.PartitionFor(TargetKinds.DeviceGroup, "g", "app-1", "a"));
    }

    [Fact]
    public async Task Rows_spread_over_the_buckets_and_read_back_whole()
    {
        var store = new AssignmentMemberStore(service);
        var ids = Enumerable.Range(0, 500).Select(i => $"D{i:D4}").ToList();
        await store.SaveManyAsync(ids.Select((id, i) => Member("g", id, i % 5 == 0 ? MemberStates.Pending : MemberStates.Licensed)), Cancel);

        var partitions = new HashSet<string>(StringComparer.Ordinal);
        var table = service.GetTableClient(AssignmentMemberStore.TableName);
        await foreach (var row in table.QueryAsync(null, ["PartitionKey"], cancellationToken: Cancel)) partitions.Add(row.PartitionKey);
        Assert.Equal(AssignmentMemberStore.Buckets, partitions.Count);
        Assert.All(partitions, p => Assert.StartsWith("device-group|g|app-1|", p, StringComparison.Ordinal));

        Assert.Equal(MemberStates.Pending, (await store.GetAsync(TargetKinds.DeviceGroup, "g", "app-1", "D0005", Cancel))?.State);
        var counts = await store.CountByStateAsync(TargetKinds.DeviceGroup, "g", "app-1", Cancel);
        Assert.Equal(100, counts[MemberStates.Pending]);
        Assert.Equal(400, counts[MemberStates.Licensed]);
        var all = new List<string>();
        await foreach (var m in store.AllAsync(TargetKinds.DeviceGroup, "g", "app-1", cancellationToken: Cancel)) all.Add(m.MemberId);
        Assert.Equal(ids, all.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Pages_cover_every_bucket_once_with_the_state_filter()
    {
        var store = new AssignmentMemberStore(service);
        await store.SaveManyAsync(Enumerable.Range(0, 250).Select(i => Member("g", $"D{i:D4}", i % 2 == 0 ? MemberStates.Pending : MemberStates.Licensed)), Cancel);
        var seen = new List<string>();
        string? token = null;
        do
        {
            var page = await store.PageAsync(TargetKinds.DeviceGroup, "g", "app-1", MemberStates.Pending, token, 40, Cancel);
            Assert.NotNull(page);
            Assert.True(page.Items.Count <= 40);
            Assert.All(page.Items, m => Assert.Equal(MemberStates.Pending, m.State));
            seen.AddRange(page.Items.Select(m => m.MemberId));
            token = page.ContinuationToken;
        } while (token is not null);
        Assert.Equal(125, seen.Count);
        Assert.Equal(125, seen.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public async Task Ids_with_separators_never_see_another_assignments_members()
    {
        var store = new AssignmentMemberStore(service);
        // "g|app-1" + content "x" shares the key prefix "device-group|g|app-1|" with group "g" + content "app-1".
        await store.SaveManyAsync([Member("g", "mine"), Member("g|app-1", "theirs", contentId: "x"), Member("g", "other-content", contentId: "app-2")], Cancel);

        var all = new List<string>();
        await foreach (var m in store.AllAsync(TargetKinds.DeviceGroup, "g", "app-1", cancellationToken: Cancel)) all.Add(m.MemberId);
        Assert.Equal(["mine"], all);
        await store.DeleteAllAsync(TargetKinds.DeviceGroup, "g", "app-1", Cancel);
        Assert.Null(await store.GetAsync(TargetKinds.DeviceGroup, "g", "app-1", "mine", Cancel));
        Assert.NotNull(await store.GetAsync(TargetKinds.DeviceGroup, "g|app-1", "x", "theirs", Cancel));
        Assert.NotNull(await store.GetAsync(TargetKinds.DeviceGroup, "g", "app-2", "other-content", Cancel));
    }

    [Fact]
    public async Task Adding_over_existing_rows_replaces_them()
    {
        var store = new AssignmentMemberStore(service);
        var ids = Enumerable.Range(0, 300).Select(i => $"D{i:D4}").ToList();
        await store.SaveManyAsync(ids.Where((_, i) => i % 3 == 0).Select(id => Member("g", id, MemberStates.Pending)), Cancel);

        await store.AddManyAsync(ids.Select(id => Member("g", id) with { CommandUuid = "U-" + id }), Cancel);

        var all = new Dictionary<string, AssignmentMember>(StringComparer.Ordinal);
        await foreach (var m in store.AllAsync(TargetKinds.DeviceGroup, "g", "app-1", cancellationToken: Cancel)) all[m.MemberId] = m;
        Assert.Equal(300, all.Count);
        Assert.All(ids, id => Assert.Equal((MemberStates.Licensed, "U-" + id), (all[id].State, all[id].CommandUuid)));
    }
}
