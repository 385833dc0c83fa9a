using ManagedDistribution.Features.Directory;
using ManagedDistribution.Features.Licenses;
using ManagedDistribution.Platform.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ManagedDistribution.Features.Catalog;

/// <summary><c>/api/content</c>: register internal apps and books, list and read the catalogue, sync purchased items.</summary>
public static class CatalogEndpoints
{
    public static RouteGroupBuilder MapCatalog(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapApiGroup("/content", "Catalogue");
        group.MapPost("", CreateAsync).WithName("CreateContent")
            .WithSummary("Registers an internal app (name, bundleId, manifestUrl, platforms) or internal book (name, mediaUrl, kind pdf|epub|ibooks).");
        group.MapGet("", ListAsync).WithName("ListContent")
            .WithSummary("Lists the catalogue in id order, optionally by type (app|book) and source (internal|vpp). Purchased items carry licenses.");
        group.MapGet("/{id}", GetAsync).WithName("GetContent").WithSummary("One catalogue item; purchased items with licenses {total, assigned, available}.");
        group.MapGet("/{id}/licenses", LicensesAsync).WithName("GetContentLicenses")
            .WithSummary("The license ledger of a purchased item: counts and the waiting list (first come first served).");
        group.MapPost("/sync", SyncAsync).WithName("SyncContent")
            .WithSummary("Reads every installed location's assets from Apple: purchased items and license totals brought up to date.");
        return group;
    }

    static async Task<Results<Created<ContentDto>, ValidationProblem>> CreateAsync(
        ContentInput input, ContentStore content, TimeProvider time, CancellationToken cancellationToken)
    {
        var (row, errors) = ContentRules.Validate(input, time.GetUtcNow());
        if (row is null) return TypedResults.ValidationProblem(errors);
        await content.AddAsync(row, cancellationToken);
        return TypedResults.Created($"{ApiRoutes.Prefix}/content/{row.RowKey}", ContentRecord.ToDto(row, null));
    }

    static async Task<Results<Ok<Page<ContentDto>>, ValidationProblem>> ListAsync(
        ContentStore content, string? type, string? source, string? continuationToken, int? pageSize, CancellationToken cancellationToken)
    {
        var errors = DirectoryRequests.PagingErrors(continuationToken, pageSize, out var after) ?? new Dictionary<string, string[]>();
        if (type is not (null or ContentRecord.App or ContentRecord.Book)) errors["type"] = ["Must be 'app' or 'book'."];
        if (source is not (null or ContentRecord.Internal or ContentRecord.Vpp)) errors["source"] = ["Must be 'internal' or 'vpp'."];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        var (rows, next) = await content.ListAsync(type, source, after, pageSize ?? DirectoryPaging.DefaultPageSize, cancellationToken);
        var items = await Task.WhenAll(rows.Select(r => content.ToDtoAsync(r, cancellationToken)));
        return TypedResults.Ok(new Page<ContentDto>(items, next is { } position ? PageToken.Encode(position) : null));
    }

    static async Task<Results<Ok<ContentDto>, ProblemHttpResult>> GetAsync(string id, ContentStore content, CancellationToken cancellationToken)
    {
        if (await content.GetAsync(id, cancellationToken) is not { } row)
            return Problems.Result(ProblemCodes.NotFound, $"No catalogue item has the id '{(id.Length > 100 ? id[..100] + "…" : id)}'.");
        return TypedResults.Ok(await content.ToDtoAsync(row, cancellationToken));
    }

    static async Task<Results<Ok<LicenseLedgerDto>, ProblemHttpResult>> LicensesAsync(
        string id, LicenseLedger ledger, CancellationToken cancellationToken)
    {
        if (await ledger.GetAsync(id, cancellationToken) is not { } entry)
            return Problems.Result(ProblemCodes.NotFound, "No purchased item has that id (internal content has no licenses).");
        var waiting = await ledger.GetWaitingAsync(id, cancellationToken);
        var c = entry.Counts;
        return TypedResults.Ok(new LicenseLedgerDto(
            new LicenseCountsDto(c.Total, c.Assigned, c.Available, c.Reserved, c.External), entry.AppleAssigned, entry.SyncedAt,
            waiting.Sum(w => w.Count), [.. waiting.Take(100).Select(w => new WaitingDto(w.Owner, w.Count, w.RequestedAt))]));
    }

    static async Task<Ok<CatalogSyncDto>> SyncAsync(CatalogSync sync, CancellationToken cancellationToken) =>
        TypedResults.Ok(await sync.SyncAllAsync(cancellationToken));
}
