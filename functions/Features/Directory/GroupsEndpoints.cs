using ManagedDistribution.Platform.Http;
using ManagedDistribution.Platform.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace ManagedDistribution.Features.Directory;

/// <summary>What a forced group delete did: members removed, references left to the features that own them.</summary>
public sealed record GroupDeleted(string Id, int RemovedMembers, IReadOnlyList<GroupReference> References);

/// <summary><c>/api/user-groups</c> and <c>/api/device-groups</c>: the same endpoints for both kinds of group.</summary>
public static class GroupsEndpoints
{
    public static RouteGroupBuilder MapGroups(this IEndpointRouteBuilder endpoints, GroupKind kind)
    {
        var noun = kind == GroupKind.User ? "UserGroup" : "DeviceGroup";
        var group = endpoints.MapApiGroup("/" + kind.Route(), kind == GroupKind.User ? "User groups" : "Device groups");
        group.MapPost("", (GroupInput input, GroupStore groups, HttpResponse response, CancellationToken ct) => CreateAsync(kind, input, groups, response, ct))
            .WithName("Create" + noun).WithSummary("Creates a group; the id is generated when absent. 409 when the id is taken.");
        group.MapGet("", (GroupStore groups, string? search, string? continuationToken, int? pageSize, CancellationToken ct) =>
                ListAsync(kind, groups, search, continuationToken, pageSize, ct))
            .WithName("List" + noun + "s").WithSummary("Lists groups in id order, optionally those whose name contains 'search'.");
        group.MapGet("/{id}", (string id, GroupStore groups, HttpResponse response, CancellationToken ct) => GetAsync(kind, id, groups, response, ct))
            .WithName("Get" + noun).WithSummary("One group with its member count and ETag.");
        group.MapPut("/{id}", (string id, GroupInput input, [FromHeader(Name = "If-Match")] string? ifMatch, [FromHeader(Name = "If-None-Match")] string? ifNoneMatch,
                GroupStore groups, HttpResponse response, CancellationToken ct) => PutAsync(kind, id, input, ifMatch, ifNoneMatch, groups, response, ct))
            .WithName("Put" + noun).WithSummary("Creates or replaces a group's name and description (201 / 200). Honours If-Match and If-None-Match: *.");
        group.MapDelete("/{id}", (string id, bool? force, [FromHeader(Name = "If-Match")] string? ifMatch, GroupStore groups, MembershipStore memberships,
                IEnumerable<IGroupReferenceSource> sources, CancellationToken ct) => DeleteAsync(kind, id, force, ifMatch, groups, memberships, sources, ct))
            .WithName("Delete" + noun).WithSummary("Deletes a group and its memberships. 409 listing what refers to the group, unless force=true.");
        GroupMembersEndpoints.Map(group, kind, noun);
        MembershipImport.Map(group, kind);
        return group;
    }

    static async Task<Results<Created<GroupDto>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        GroupKind kind, GroupInput input, GroupStore groups, HttpResponse response, CancellationToken cancellationToken)
    {
        var (fields, errors) = GroupEntity.Validate(input);
        if (fields is null) return TypedResults.ValidationProblem(errors);
        var result = await groups.CreateAsync(kind, fields, cancellationToken);
        if (result.Outcome == WriteOutcome.AlreadyExists)
            return Problems.Result(ProblemCodes.Conflict, $"A {kind.MemberNoun()} group with the id '{fields.Id}' already exists.");
        HttpETags.Set(response, result.Entity!.ETag);
        return TypedResults.Created($"{ApiRoutes.Prefix}/{kind.Route()}/{fields.Id}", GroupEntity.ToDto(result.Entity));
    }

    static async Task<Results<Ok<Page<GroupDto>>, ValidationProblem>> ListAsync(
        GroupKind kind, GroupStore groups, string? search, string? continuationToken, int? pageSize, CancellationToken cancellationToken)
    {
        if (DirectoryRequests.PagingErrors(continuationToken, pageSize, out var after) is { } errors) return TypedResults.ValidationProblem(errors);
        var (items, next) = await groups.ListAsync(kind, search, after, pageSize ?? DirectoryPaging.DefaultPageSize, cancellationToken);
        return TypedResults.Ok(new Page<GroupDto>([.. items.Select(GroupEntity.ToDto)], next is { } position ? PageToken.Encode(position) : null));
    }

    static async Task<Results<Ok<GroupDto>, ProblemHttpResult>> GetAsync(GroupKind kind, string id, GroupStore groups, HttpResponse response, CancellationToken cancellationToken)
    {
        if (!DirectoryIds.IsValid(id) || await groups.GetAsync(kind, id, cancellationToken) is not { } entity)
            return DirectoryRequests.NotFound(kind.MemberNoun() + " group", id);
        HttpETags.Set(response, entity.ETag);
        return TypedResults.Ok(GroupEntity.ToDto(entity));
    }

    static async Task<Results<Ok<GroupDto>, Created<GroupDto>, ValidationProblem, ProblemHttpResult>> PutAsync(
        GroupKind kind, string id, GroupInput input, string? ifMatch, string? ifNoneMatch, GroupStore groups, HttpResponse response, CancellationToken cancellationToken)
    {
        var (fields, errors) = GroupEntity.Validate(input, idFromRoute: id);
        if (fields is null) return TypedResults.ValidationProblem(errors);
        var result = await groups.PutAsync(kind, fields, HttpETags.Parse(ifMatch), ifNoneMatch?.Trim() == "*", cancellationToken);
        switch (result.Outcome)
        {
            case WriteOutcome.PreconditionFailed:
                return Problems.Result(ProblemCodes.PreconditionFailed, "The group changed (or does not exist); GET it again and retry with its ETag.");
            case WriteOutcome.Contended:
                return Problems.Result(ProblemCodes.Conflict, "The group is being changed by other requests; retry.");
        }
        HttpETags.Set(response, result.Entity!.ETag);
        var dto = GroupEntity.ToDto(result.Entity);
        return result.Outcome == WriteOutcome.Created ? TypedResults.Created($"{ApiRoutes.Prefix}/{kind.Route()}/{id}", dto) : TypedResults.Ok(dto);
    }

    static async Task<Results<NoContent, Ok<GroupDeleted>, ProblemHttpResult>> DeleteAsync(GroupKind kind, string id, bool? force, string? ifMatch,
        GroupStore groups, MembershipStore memberships, IEnumerable<IGroupReferenceSource> sources, CancellationToken cancellationToken)
    {
        if (!DirectoryIds.IsValid(id) || await groups.GetAsync(kind, id, cancellationToken) is not { } existing)
            return DirectoryRequests.NotFound(kind.MemberNoun() + " group", id);
        if (HttpETags.Parse(ifMatch) is { } expected && expected != ETag.All && expected != existing.ETag)
            return Problems.Result(ProblemCodes.PreconditionFailed, "The group changed since it was read; GET it again.");

        var references = new List<GroupReference>();
        foreach (var source in sources) references.AddRange(await source.FindReferencesAsync(kind, id, cancellationToken));
        if (references.Count > 0 && force != true)
        {
            var problem = Problems.Create(ProblemCodes.Conflict,
                $"{references.Count} thing(s) still refer to the group; remove them first, or delete with force=true.");
            problem.Extensions["references"] = references.Take(DirectoryRequests.ListedLimit).ToList();
            return TypedResults.Problem(problem);
        }

        // Members first, group row last: a delete that fails half-way can simply be repeated.
        var removed = await memberships.RemoveAllAsync(kind, id, cancellationToken);
        await groups.DeleteAsync(kind, id, null, cancellationToken);
        return force == true ? TypedResults.Ok(new GroupDeleted(id, removed, references)) : TypedResults.NoContent();
    }
}
