using ManagedDistribution.Features.AppsAndBooks;
using ManagedDistribution.Features.Licenses;
using ManagedDistribution.Features.LocationTokens;

namespace ManagedDistribution.Features.Catalog;

/// <summary>
/// Reads each location's assets from Apple (all pages) and brings the catalogue and the ledger
/// totals up to date: content rows upserted, ledger Total (and External) taken from Apple.
/// Runs after a token is installed, on <c>POST /api/content/sync</c>, and when an ASSET_COUNT
/// names an item we have never seen.
/// </summary>
public sealed class CatalogSync(
    LocationTokenStore tokens, AppsAndBooksClient apple, ContentStore content, LicenseLedger ledger, ILogger<CatalogSync> logger)
{
    public async Task<CatalogSyncDto> SyncAllAsync(CancellationToken cancellationToken)
    {
        var results = new List<LocationSyncDto>();
        foreach (var record in await tokens.ListAsync(cancellationToken))
            results.Add(await SyncLocationAsync(record.UId, cancellationToken));
        return new CatalogSyncDto(results);
    }

    public async Task<LocationSyncDto> SyncLocationAsync(string locationUId, CancellationToken cancellationToken)
    {
        if (await tokens.GetTokenAsync(locationUId, cancellationToken) is not { } token)
            return new LocationSyncDto(locationUId, 0, "No token is installed for this location.");
        IReadOnlyList<AppsAndBooks.Models.Asset> assets;
        try
        {
            assets = (await apple.GetAssetsAsync(token, cancellationToken: cancellationToken)).Items;
        }
        catch (AppsAndBooksException e)
        {
            logger.LogWarning("Catalogue sync of {LocationUId} failed: {Status}/{ErrorNumber}", locationUId, e.Status, e.ErrorNumber);
            return new LocationSyncDto(locationUId, 0, $"Apple answered {e.Status}/{e.ErrorNumber}: {e.Message}");
        }
        await content.UpsertPurchasedAsync(locationUId, assets, cancellationToken);
        await Parallel.ForEachAsync(assets, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (asset, ct) => await ledger.SyncFromAppleAsync(
                ContentRecord.VppId(locationUId, asset.AdamId, asset.PricingParam),
                new AppleCounts(locationUId, asset.AdamId, asset.PricingParam, asset.TotalCount, asset.AssignedCount), ct));
        logger.LogInformation("Catalogue sync of {LocationUId}: {Items} purchased items", locationUId, assets.Count);
        return new LocationSyncDto(locationUId, assets.Count, null);
    }
}
