using ManagedDistribution.Features.Licenses;
using ManagedDistribution.Platform.Storage;
using ManagedDistribution.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ManagedDistribution.Tests.Features.Licenses;

/// <summary>Where the ledger keeps target rows (shard tables, bucket partitions) and the replay that repairs a crash before them.</summary>
public sealed class LicenseTargetLayoutTests
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    readonly LicenseLedger ledger;
    readonly TableServiceClient service;

    public LicenseTargetLayoutTests(AzuriteFixture azurite)
    {
        service = new TableServiceClient(azurite.Account, Options.Create(new StorageOptions { Prefix = AzuriteFixture.NewPrefix() }));
        ledger = new LicenseLedger(service, TimeProvider.System, NullLogger<LicenseLedger>.Instance);
    }

    async Task<string> ItemAsync(int total)
    {
        var id = "vpp-1-" + Guid.NewGuid().ToString("N")[..8] + "-STDQ";
        await ledger.SyncFromAppleAsync(id, new AppleCounts("1", "42", "STDQ", total, 0), Cancel);
        return id;
    }

    TableClient TableOf(string contentId, LicenseTarget target) => service.GetTableClient(LicenseTargetLayout.TableName(contentId, target));

    /// <summary>Every target row of the item, read table by table (not through the ledger).</summary>
    async Task<List<TableEntity>> RowsOfAsync(string contentId)
    {
        List<TableEntity> rows = [];
        for (var slice = 0; slice < LicenseTargetLayout.Slices; slice++)
        {
            var table = service.GetTableClient(LicenseTargetLayout.TableName(LicenseTargetLayout.ShardOf(contentId), slice));
            await foreach (var row in table.QueryAsync(LicenseTargetLayout.ItemFilter(contentId), cancellationToken: Cancel))
            {
                Assert.Equal(slice, LicenseTargetLayout.SliceOfPartition(row.PartitionKey));
                rows.Add(row);
            }
        }
        return rows;
    }

    [Fact]
    public void HashesAreStableAcrossProcesses()
    {
        // Stored rows depend on these values: FNV-1a (32-bit) of the UTF-8 text, never string.GetHashCode.
        Assert.Equal(75, LicenseTargetLayout.ShardOf("vpp-1-42-STDQ"));
        Assert.Equal("licensetargets075s3", LicenseTargetLayout.TableName(75, 3));
        Assert.Equal("licensetargets075s4", LicenseTargetLayout.TableName("vpp-1-42-STDQ", LicenseTarget.Device("SER001"))); // bucket 0x3c = 60, 60 mod 8
        Assert.Equal("vpp-1-42-STDQ|3c", LicenseTargetLayout.PartitionKey("vpp-1-42-STDQ", LicenseTarget.Device("SER001")));
        Assert.Equal("vpp-1-42-STDQ|3d", LicenseTargetLayout.PartitionKey("vpp-1-42-STDQ", LicenseTarget.User("user-1")));
        Assert.Equal(("d|SER001", "u|user-1"), (LicenseTargetLayout.RowKey(LicenseTarget.Device("SER001")), LicenseTargetLayout.RowKey(LicenseTarget.User("user-1"))));
        Assert.Equal("vpp-1-42-STDQ", LicenseTargetLayout.ContentIdOf("vpp-1-42-STDQ|3c"));
    }

    [Fact]
    public async Task TargetRowsLiveInTheItemsShardSpreadOverSliceTablesAndBucketPartitions()
    {
        var item = await ItemAsync(1000);
        var other = await ItemAsync(10);
        var members = Enumerable.Range(0, 300).Select(i => LicenseTarget.Device($"SER{i:D4}")).ToList();
        await ledger.ReserveAsync(new(item, members.Count, "group", "g", ReservationMode.UpTo, members), Cancel);
        await ledger.ReserveAsync(new(other, 1, "single", "s", ReservationMode.AllOrNothing, [LicenseTarget.Device("SER0000")]), Cancel);

        var rows = await RowsOfAsync(item);
        Assert.Equal(300, rows.Count);
        Assert.Equal(LicenseTargetLayout.Slices, rows.Select(r => LicenseTargetLayout.SliceOfPartition(r.PartitionKey)).Distinct().Count());
        Assert.All(rows, r => Assert.Matches(@"\|[0-9a-f]{2}$", r.PartitionKey));
        Assert.All(rows, r => Assert.Equal(item, LicenseTargetLayout.ContentIdOf(r.PartitionKey)));
        Assert.InRange(rows.Select(r => r.PartitionKey).Distinct().Count(), 40, LicenseTargetLayout.Buckets);
        Assert.Equal(["Owner", "ReservationKey", "State"], rows[0].Keys.Order());

        // The item's licenses partition keeps the ledger, the record and the stamp, no target row.
        List<string> keys = [];
        await foreach (var row in service.GetTableClient(LicenseLedger.TableName).QueryAsync(TableFilter.PartitionKey.Eq(item), cancellationToken: Cancel))
            keys.Add(row.RowKey);
        Assert.Equal([LicenseKeys.LedgerRow, LicenseKeys.ReservationRow("g"), LicenseKeys.TargetsChangedRow], keys.Order());

        var targets = new List<LicenseTargetRow>();
        await foreach (var t in ledger.GetTargetsAsync(item, Cancel)) targets.Add(t);
        Assert.Equal(members, targets.Select(t => t.Target).OrderBy(t => t.Id));
        Assert.All(targets, t => Assert.Equal((item, LicenseState.Reserved, "group", "g"), (t.ContentId, t.State, t.Owner, t.ReservationKey)));
        Assert.Equal(LicenseState.Reserved, (await ledger.GetTargetAsync(other, LicenseTarget.Device("SER0000"), Cancel))!.State);
    }

    [Fact]
    public async Task TargetsWhoseKeysAreHashedKeepTheirIds()
    {
        var item = await ItemAsync(5);
        LicenseTarget[] odd = [LicenseTarget.User("tenant/user#1?"), LicenseTarget.Device(new string('S', 250))];
        await ledger.ReserveAsync(new(item, 2, "odd", "o", ReservationMode.UpTo, odd), Cancel);
        Assert.Equal(odd[0], (await ledger.GetTargetAsync(item, odd[0], Cancel))!.Target);
        var targets = new List<LicenseTarget>();
        await foreach (var t in ledger.GetTargetsAsync(item, Cancel)) targets.Add(t.Target);
        Assert.Equal(odd.OrderBy(t => t.Id), targets.OrderBy(t => t.Id));
    }

    [Fact]
    public async Task ASmallReservationsReplayAddsTargetRowsACrashLeftUnwritten()
    {
        // Target rows follow the reservation's transaction: a crash in between leaves the count and
        // the record without them. Replaying the same key adds the missing rows, and leaves rows
        // that moved on since alone.
        var item = await ItemAsync(5);
        LicenseTarget[] members = [LicenseTarget.Device("A"), LicenseTarget.Device("B"), LicenseTarget.Device("C")];
        await ledger.ReserveAsync(new(item, 3, "small", "k", ReservationMode.UpTo, members), Cancel);
        await ledger.SetTargetStatesAsync(item, [members[0]], LicenseState.Committed, "small", "k", Cancel);
        foreach (var lost in members[1..])
            Assert.True(await TableOf(item, lost).DeleteEntityAsync(LicenseTargetLayout.PartitionKey(item, lost), LicenseTargetLayout.RowKey(lost), ETag.All, Cancel));
        var stampBefore = (await service.GetTableClient(LicenseLedger.TableName).GetEntityAsync(item, LicenseKeys.TargetsChangedRow, cancellationToken: Cancel))!.GetString("Stamp");

        var replay = await ledger.ReserveAsync(new(item, 3, "small", "k", ReservationMode.UpTo, members), Cancel);
        Assert.True(replay.Replayed);
        Assert.Equal(LicenseState.Committed, (await ledger.GetTargetAsync(item, members[0], Cancel))!.State);
        Assert.Equal(LicenseState.Reserved, (await ledger.GetTargetAsync(item, members[1], Cancel))!.State);
        Assert.Equal(LicenseState.Reserved, (await ledger.GetTargetAsync(item, members[2], Cancel))!.State);
        Assert.Equal(3, (await ledger.GetAsync(item, Cancel))!.Counts.Reserved);
        // Stamped again before the rows were added, so reconciliation does not trust an older verification.
        Assert.NotEqual(stampBefore, (await service.GetTableClient(LicenseLedger.TableName).GetEntityAsync(item, LicenseKeys.TargetsChangedRow, cancellationToken: Cancel))!.GetString("Stamp"));
    }
}
