using ManagedDistribution.Platform.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ManagedDistribution.Features.Directory;

/// <summary>Checks and answers the directory endpoints share.</summary>
static class DirectoryRequests
{
    /// <summary>How many referring ids a 409 problem lists (the counts are in its detail).</summary>
    public const int ListedLimit = 100;

    public static ProblemHttpResult NotFound(string noun, string id) =>
        Problems.Result(ProblemCodes.NotFound, $"No {noun} has the id '{(id.Length > DirectoryIds.MaxLength ? id[..DirectoryIds.MaxLength] + "…" : id)}'.");

    /// <summary>Field errors for the paging parameters, or null; <paramref name="after"/> is the decoded token.</summary>
    public static Dictionary<string, string[]>? PagingErrors(string? continuationToken, int? pageSize, out PagePosition? after)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (!PageToken.TryDecode(continuationToken, out after))
            errors["continuationToken"] = ["continuationToken is not a token this API issued."];
        if (pageSize is < 1 or > DirectoryPaging.MaxPageSize)
            errors["pageSize"] = [$"pageSize must be between 1 and {DirectoryPaging.MaxPageSize}."];
        return errors.Count > 0 ? errors : null;
    }
}
