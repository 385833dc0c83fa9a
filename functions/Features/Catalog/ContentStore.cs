using ManagedDistribution.Features.AppsAndBooks.Models;
using ManagedDistribution.Features.Directory;
using ManagedDistribution.Features.Licenses;
using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Catalog;

/// <summary>The catalogue rows, and the license counts of purchased items from the ledger.</summary>
public sealed class ContentStore(TableServiceClient service, LicenseLedger ledger, TimeProvider time)
{
    public const string TableName = "content";

    readonly TableOnFirstUse content = new(service, TableName);

    public async Task<TableEntity> AddAsync(TableEntity row, CancellationToken cancellationToken)
    {
        var table = await content.GetAsync(cancellationToken);
        row.ETag = await table.AddEntityAsync(row, cancellationToken);
        return row;
    }

    public async Task<TableEntity?> GetAsync(string id, CancellationToken cancellationToken)
    {
        var table = await content.GetAsync(cancellationToken);
        return await table.GetEntityAsync(ContentRecord.Partition, LicenseKeys.SafeKey(id), cancellationToken: cancellationToken);
    }

    /// <summary>A page in id order, filtered by type (app|book) and source (internal|vpp).</summary>
    public async Task<(IReadOnlyList<TableEntity> Items, PagePosition? Next)> ListAsync(
        string? type, string? source, PagePosition? after, int pageSize, CancellationToken cancellationToken)
    {
        var table = await content.GetAsync(cancellationToken);
        var filter = TableFilter.PartitionKey.Eq(ContentRecord.Partition);
        if (type is not null) filter &= TableFilter.Property("Type").Eq(type);
        if (source is not null) filter &= TableFilter.Property("Source").Eq(source);
        return await DirectoryPaging.ScanAsync(table, filter, null, after, pageSize, null, cancellationToken);
    }

    /// <summary>The DTO, with license counts read from the ledger for purchased items.</summary>
    public async Task<ContentDto> ToDtoAsync(TableEntity row, CancellationToken cancellationToken)
    {
        if (!ContentRecord.IsVpp(row)) return ContentRecord.ToDto(row, null);
        var entry = await ledger.GetAsync(row.RowKey, cancellationToken);
        var counts = entry?.Counts ?? new LedgerCounts(0, 0, 0, 0);
        return ContentRecord.ToDto(row, new LicenseCountsDto(counts.Total, counts.Assigned, counts.Available, counts.Reserved, counts.External));
    }

    /// <summary>
    /// Upserts the rows of purchased items as Apple lists them, 100 per transaction. A projection
    /// of Apple's data, so unconditional; one query first tells new items (CreatedAt) from known ones.
    /// </summary>
    public async Task UpsertPurchasedAsync(string locationUId, IReadOnlyList<Asset> assets, CancellationToken cancellationToken)
    {
        var table = await content.GetAsync(cancellationToken);
        var now = time.GetUtcNow();
        var known = new HashSet<string>(StringComparer.Ordinal);
        var ofLocation = TableFilter.PartitionKey.Eq(ContentRecord.Partition) & TableFilter.Property("LocationUId").Eq(locationUId);
        await foreach (var row in table.QueryAsync(ofLocation, ["RowKey"], cancellationToken: cancellationToken)) known.Add(row.RowKey);
        var rows = assets.Select(a =>
        {
            var row = new TableEntity(ContentRecord.Partition, ContentRecord.VppId(locationUId, a.AdamId, a.PricingParam))
            {
                ["Type"] = a.ProductType == Asset.Book ? ContentRecord.Book : ContentRecord.App,
                ["Source"] = ContentRecord.Vpp,
                ["LocationUId"] = locationUId,
                ["AdamId"] = a.AdamId,
                ["PricingParam"] = a.PricingParam,
                ["ProductType"] = a.ProductType,
                ["Platforms"] = string.Join(',', a.SupportedPlatforms),
                ["DeviceAssignable"] = a.DeviceAssignable,
                ["Revocable"] = a.Revocable,
                ["SeenAtAppleAt"] = now,
                ["UpdatedAt"] = now,
            };
            if (!known.Contains(row.RowKey)) row["CreatedAt"] = now;
            return row;
        });
        // Merge: names or notes added here survive a sync.
        foreach (var chunk in rows.Chunk(100))
            await table.SubmitTransactionAsync([.. chunk.Select(r => new TableTransactionAction(TableTransactionActionType.UpsertMerge, r))], cancellationToken);
    }
}
