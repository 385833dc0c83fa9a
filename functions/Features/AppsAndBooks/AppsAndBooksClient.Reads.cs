using System.Text.Json.Serialization.Metadata;
using ManagedDistribution.Features.AppsAndBooks.Models;

namespace ManagedDistribution.Features.AppsAndBooks;

public sealed partial class AppsAndBooksClient
{
    /// <summary>Get Assets page by page (no <c>sinceVersionId</c>: assets are always read in full).</summary>
    public IAsyncEnumerable<GetAssetsResponse> GetAssetPagesAsync(
        LocationToken token, AssetFilter? filter = null, CancellationToken cancellationToken = default) =>
        Pages("assets", query => filter?.AppendTo(query), token, AppsAndBooksJson.Default.GetAssetsResponse, cancellationToken);

    /// <summary>Every asset of the location (all pages).</summary>
    public Task<AppsAndBooksListing<Asset>> GetAssetsAsync(
        LocationToken token, AssetFilter? filter = null, CancellationToken cancellationToken = default) =>
        AppsAndBooksListing<Asset>.CollectAsync(GetAssetPagesAsync(token, filter, cancellationToken), p => p.Assets, cancellationToken);

    /// <summary>Get Assignments page by page; stream this for large locations.</summary>
    public IAsyncEnumerable<GetAssignmentsResponse> GetAssignmentPagesAsync(
        LocationToken token, AssignmentFilter? filter = null, CancellationToken cancellationToken = default) =>
        Pages("assignments", query => filter?.AppendTo(query), token, AppsAndBooksJson.Default.GetAssignmentsResponse, cancellationToken);

    /// <summary>Every matching assignment (all pages) and page 0's <c>versionId</c> for the next delta.</summary>
    public Task<AppsAndBooksListing<Assignment>> GetAssignmentsAsync(
        LocationToken token, AssignmentFilter? filter = null, CancellationToken cancellationToken = default) =>
        AppsAndBooksListing<Assignment>.CollectAsync(
            GetAssignmentPagesAsync(token, filter, cancellationToken), p => p.Assignments, cancellationToken);

    /// <summary>Get Users page by page.</summary>
    public IAsyncEnumerable<GetUsersResponse> GetUserPagesAsync(
        LocationToken token, UserFilter? filter = null, CancellationToken cancellationToken = default) =>
        Pages("users", query => filter?.AppendTo(query), token, AppsAndBooksJson.Default.GetUsersResponse, cancellationToken);

    /// <summary>Every matching user (all pages) and page 0's <c>versionId</c> for the next delta.</summary>
    public Task<AppsAndBooksListing<AppsAndBooksUser>> GetUsersAsync(
        LocationToken token, UserFilter? filter = null, CancellationToken cancellationToken = default) =>
        AppsAndBooksListing<AppsAndBooksUser>.CollectAsync(
            GetUserPagesAsync(token, filter, cancellationToken), p => p.Users, cancellationToken);

    IAsyncEnumerable<TPage> Pages<TPage>(
        string path, Action<AppsAndBooksQuery> addFilter, LocationToken token,
        JsonTypeInfo<TPage> pageType, CancellationToken cancellationToken)
        where TPage : PagedResponse
    {
        Task<TPage> FetchAsync(int? pageIndex, CancellationToken ct)
        {
            var query = new AppsAndBooksQuery();
            addFilter(query);
            query.Add("pageIndex", pageIndex);
            return transport.GetAsync(path + query, token, pageType, ct);
        }
        return PageWalker.WalkAsync(FetchAsync, settings.MaxParallelPageRequests, cancellationToken);
    }
}
