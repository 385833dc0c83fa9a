using ManagedDistribution.Features.Devices;
using ManagedDistribution.Platform.Http;
using ManagedDistribution.Platform.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace ManagedDistribution.Features.Directory;

/// <summary>What a forced delete did: the user is gone; devices still name it until the devices feature dissociates them.</summary>
public sealed record UserDeleted(string Id, IReadOnlyList<string> RemovedFromUserGroups, IReadOnlyList<string> AssociatedDevices, string? Note);

/// <summary><c>/api/users</c>: create, read, replace, delete, list and search users; import them in bulk.</summary>
public static class UsersEndpoints
{
    public static RouteGroupBuilder MapUsers(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapApiGroup("/users", "Users");
        group.MapPost("", CreateAsync).WithName("CreateUser")
            .WithSummary("Creates a user; the id is generated when absent. 409 when the id is taken.");
        group.MapGet("", ListAsync).WithName("ListUsers")
            .WithSummary("Lists users in id order, optionally those whose short name, full name or email contains 'search'. A page may be short and still carry a continuationToken.");
        group.MapGet("/{id}", GetAsync).WithName("GetUser").WithSummary("One user, with its ETag.");
        group.MapPut("/{id}", PutAsync).WithName("PutUser")
            .WithSummary("Creates or replaces a user (201 / 200). Honours If-Match and If-None-Match: *.");
        group.MapDelete("/{id}", DeleteAsync).WithName("DeleteUser")
            .WithSummary("Deletes a user. 409 listing devices and group memberships that refer to it, unless force=true (which removes the memberships and leaves device associations to the devices feature).");
        group.MapGet("/{id}/groups", GroupsAsync).WithName("ListGroupsOfUser").WithSummary("The user groups the user belongs to.");
        group.MapUserImport();
        return group;
    }

    static async Task<Results<Created<UserDto>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        UserInput input, UserStore users, HttpResponse response, CancellationToken cancellationToken)
    {
        var (user, errors) = UserRules.Validate(input, requireId: false);
        if (user is null) return TypedResults.ValidationProblem(errors);
        var result = await users.CreateAsync(user, cancellationToken);
        if (result.Outcome == WriteOutcome.AlreadyExists)
            return Problems.Result(ProblemCodes.Conflict, $"A user with the id '{user.Id}' already exists; PUT /api/users/{user.Id} replaces it.");
        HttpETags.Set(response, result.Entity!.ETag);
        return TypedResults.Created($"{ApiRoutes.Prefix}/users/{user.Id}", UserEntity.ToDto(result.Entity));
    }

    static async Task<Results<Ok<Page<UserDto>>, ValidationProblem>> ListAsync(
        UserStore users, string? search, string? continuationToken, int? pageSize, CancellationToken cancellationToken)
    {
        if (DirectoryRequests.PagingErrors(continuationToken, pageSize, out var after) is { } errors) return TypedResults.ValidationProblem(errors);
        var (items, next) = await users.ListAsync(search, after, pageSize ?? DirectoryPaging.DefaultPageSize, cancellationToken);
        return TypedResults.Ok(new Page<UserDto>([.. items.Select(UserEntity.ToDto)], next is { } position ? PageToken.Encode(position) : null));
    }

    static async Task<Results<Ok<UserDto>, ProblemHttpResult>> GetAsync(string id, UserStore users, HttpResponse response, CancellationToken cancellationToken)
    {
        if (!DirectoryIds.IsValid(id) || await users.GetAsync(id, cancellationToken) is not { } entity) return DirectoryRequests.NotFound("user", id);
        HttpETags.Set(response, entity.ETag);
        var managedDistribution = response.HttpContext.RequestServices.GetService<IUserManagedDistributionSource>();
        return TypedResults.Ok(UserEntity.ToDto(entity) with
        {
            ManagedDistribution = managedDistribution is null ? null : await managedDistribution.ForUserAsync(id, cancellationToken),
        });
    }

    static async Task<Results<Ok<UserDto>, Created<UserDto>, ValidationProblem, ProblemHttpResult>> PutAsync(
        string id, UserInput input, [FromHeader(Name = "If-Match")] string? ifMatch, [FromHeader(Name = "If-None-Match")] string? ifNoneMatch,
        UserStore users, HttpResponse response, CancellationToken cancellationToken)
    {
        var (user, errors) = UserRules.Validate(input, requireId: true, idFromRoute: id);
        if (user is null) return TypedResults.ValidationProblem(errors);
        var result = await users.PutAsync(user, HttpETags.Parse(ifMatch), ifNoneMatch?.Trim() == "*", cancellationToken);
        switch (result.Outcome)
        {
            case WriteOutcome.PreconditionFailed:
                return Problems.Result(ProblemCodes.PreconditionFailed, "The user changed (or does not exist); GET it again and retry with its ETag.");
            case WriteOutcome.Contended:
                return Problems.Result(ProblemCodes.Conflict, "The user is being changed by other requests; retry.");
        }
        HttpETags.Set(response, result.Entity!.ETag);
        var dto = UserEntity.ToDto(result.Entity);
        return result.Outcome == WriteOutcome.Created ? TypedResults.Created($"{ApiRoutes.Prefix}/users/{id}", dto) : TypedResults.Ok(dto);
    }

    static async Task<Results<NoContent, Ok<UserDeleted>, ProblemHttpResult>> DeleteAsync(
        string id, bool? force, [FromHeader(Name = "If-Match")] string? ifMatch,
        UserStore users, MembershipStore memberships, IDeviceDirectory devices, CancellationToken cancellationToken)
    {
        if (!DirectoryIds.IsValid(id) || await users.GetAsync(id, cancellationToken) is not { } existing) return DirectoryRequests.NotFound("user", id);
        if (HttpETags.Parse(ifMatch) is { } expected && expected != ETag.All && expected != existing.ETag)
            return Problems.Result(ProblemCodes.PreconditionFailed, "The user changed since it was read; GET it again.");

        var deviceIds = await devices.DeviceIdsForUserAsync(id, cancellationToken);
        var groupIds = (await memberships.GroupsOfMemberAsync(GroupKind.User, id, cancellationToken)).Select(m => m.GroupId).ToList();
        if (force != true && (deviceIds.Count > 0 || groupIds.Count > 0))
        {
            var problem = Problems.Create(ProblemCodes.Conflict,
                $"The user is still referred to by {deviceIds.Count} device(s) and {groupIds.Count} user group(s). Dissociate and remove them first, or delete with force=true.");
            problem.Extensions["devices"] = deviceIds.Take(DirectoryRequests.ListedLimit).ToList();
            problem.Extensions["userGroups"] = groupIds.Take(DirectoryRequests.ListedLimit).ToList();
            return TypedResults.Problem(problem);
        }

        var removedFrom = force == true ? await memberships.RemoveFromAllGroupsAsync(GroupKind.User, id, cancellationToken) : [];
        var outcome = await users.DeleteAsync(id, existing.ETag, cancellationToken);
        if (outcome == WriteOutcome.PreconditionFailed)
            return Problems.Result(ProblemCodes.Conflict, "The user changed while it was being deleted; retry.");
        if (force != true) return TypedResults.NoContent();
        return TypedResults.Ok(new UserDeleted(id, removedFrom, deviceIds,
            deviceIds.Count == 0 ? null : "These devices still name the deleted user; dissociate them with DELETE /api/devices/{id}/user."));
    }

    static async Task<Results<Ok<IReadOnlyList<MembershipDto>>, ProblemHttpResult>> GroupsAsync(
        string id, UserStore users, MembershipStore memberships, CancellationToken cancellationToken)
    {
        if (!DirectoryIds.IsValid(id) || await users.GetAsync(id, cancellationToken) is null) return DirectoryRequests.NotFound("user", id);
        return TypedResults.Ok(await memberships.GroupsOfMemberAsync(GroupKind.User, id, cancellationToken));
    }
}
