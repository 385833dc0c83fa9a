using ManagedDistribution.Platform.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace ManagedDistribution.Features.Directory;

/// <summary>Ids to add to or remove from a group (at most 10,000 per call; repeats are ignored).</summary>
public sealed record MembersRequest(string[]? Ids);

/// <summary><c>/{kind}-groups/{id}/members</c>: list (paged), add in bulk, remove in bulk.</summary>
static class GroupMembersEndpoints
{
    public const int MaxIdsPerCall = 10_000;

    public static void Map(RouteGroupBuilder group, GroupKind kind, string noun)
    {
        group.MapGet("/{id}/members", (string id, string? continuationToken, int? pageSize, GroupStore groups, MembershipStore memberships, CancellationToken ct) =>
                ListAsync(kind, id, continuationToken, pageSize, groups, memberships, ct))
            .WithName("List" + noun + "Members").WithSummary("The group's members in id order, paged.");
        group.MapPost("/{id}/members", (string id, MembersRequest request, GroupStore groups, MembershipStore memberships, MemberExistence members, CancellationToken ct) =>
                AddAsync(kind, id, request, groups, memberships, members, ct))
            .WithName("Add" + noun + "Members")
            .WithSummary($"Adds up to {MaxIdsPerCall:N0} {kind.MemberNoun()}s. All ids must exist (else 400 unknown-ids and nothing changes); members already in the group are left as they are.");
        group.MapDelete("/{id}/members", (string id, [FromBody] MembersRequest request, GroupStore groups, MembershipStore memberships, CancellationToken ct) =>
                RemoveAsync(kind, id, request, groups, memberships, ct))
            .WithName("Remove" + noun + "Members").WithSummary($"Removes up to {MaxIdsPerCall:N0} members (body {{ids:[...]}}); ids that are not members are ignored.");
        group.MapPost("/{id}/members/remove", (string id, MembersRequest request, GroupStore groups, MembershipStore memberships, CancellationToken ct) =>
                RemoveAsync(kind, id, request, groups, memberships, ct))
            .WithName("Remove" + noun + "MembersByPost").WithSummary("The same as DELETE .../members, for clients that cannot send a DELETE body.");
    }

    static async Task<Results<Ok<Page<MemberDto>>, ValidationProblem, ProblemHttpResult>> ListAsync(GroupKind kind, string id, string? continuationToken, int? pageSize,
        GroupStore groups, MembershipStore memberships, CancellationToken cancellationToken)
    {
        if (DirectoryRequests.PagingErrors(continuationToken, pageSize, out var after) is { } errors) return TypedResults.ValidationProblem(errors);
        if (!DirectoryIds.IsValid(id) || await groups.GetAsync(kind, id, cancellationToken) is null) return DirectoryRequests.NotFound(kind.MemberNoun() + " group", id);
        var (items, next) = await memberships.ListAsync(kind, id, after, pageSize ?? DirectoryPaging.DefaultPageSize, cancellationToken);
        return TypedResults.Ok(new Page<MemberDto>([.. items.Select(e => new MemberDto(e.RowKey, e.GetDateTimeOffset("AddedAt") ?? default))],
            next is { } position ? PageToken.Encode(position) : null));
    }

    static async Task<Results<Ok<MembersAdded>, ValidationProblem, ProblemHttpResult>> AddAsync(GroupKind kind, string id, MembersRequest request,
        GroupStore groups, MembershipStore memberships, MemberExistence members, CancellationToken cancellationToken)
    {
        if (IdErrors(request, out var ids) is { } errors) return TypedResults.ValidationProblem(errors);
        if (!DirectoryIds.IsValid(id) || await groups.GetAsync(kind, id, cancellationToken) is null) return DirectoryRequests.NotFound(kind.MemberNoun() + " group", id);
        var known = await members.ExistingAsync(kind, ids, cancellationToken);
        var unknown = ids.Where(m => !known.Contains(m)).ToList();
        if (unknown.Count > 0)
        {
            var problem = Problems.Create(ProblemCodes.UnknownIds, $"{unknown.Count} of the ids are not {kind.MemberNoun()}s; nothing was added.");
            problem.Extensions["unknownIds"] = unknown.Take(1000).ToList();
            problem.Extensions["unknownCount"] = unknown.Count;
            return TypedResults.Problem(problem);
        }
        var added = await memberships.AddAsync(kind, new Dictionary<string, IReadOnlyCollection<string>> { [id] = ids }, cancellationToken);
        return TypedResults.Ok(added[id]);
    }

    static async Task<Results<Ok<MembersRemoved>, ValidationProblem, ProblemHttpResult>> RemoveAsync(GroupKind kind, string id, MembersRequest request,
        GroupStore groups, MembershipStore memberships, CancellationToken cancellationToken)
    {
        if (IdErrors(request, out var ids) is { } errors) return TypedResults.ValidationProblem(errors);
        if (!DirectoryIds.IsValid(id) || await groups.GetAsync(kind, id, cancellationToken) is null) return DirectoryRequests.NotFound(kind.MemberNoun() + " group", id);
        return TypedResults.Ok(await memberships.RemoveAsync(kind, id, ids, cancellationToken));
    }

    /// <summary>Field errors for the id list, or null; <paramref name="ids"/> is the list without repeats, in first-seen order.</summary>
    static Dictionary<string, string[]>? IdErrors(MembersRequest request, out IReadOnlyCollection<string> ids)
    {
        ids = [];
        if (request.Ids is null || request.Ids.Length == 0) return new() { ["ids"] = ["ids must list at least one id."] };
        if (request.Ids.Length > MaxIdsPerCall) return new() { ["ids"] = [$"ids may list at most {MaxIdsPerCall:N0} ids per call; split the list."] };
        var invalid = request.Ids.Select((value, index) => (value, index)).Where(x => !DirectoryIds.IsValid(x.value)).Take(100)
            .ToDictionary(x => $"ids[{x.index}]", x => new[] { DirectoryIds.Describe("Each id") });
        if (invalid.Count > 0) return invalid;
        ids = request.Ids.Distinct(StringComparer.Ordinal).ToList();
        return null;
    }
}
