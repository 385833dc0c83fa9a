using ManagedDistribution.Features.Assignments.Members;
using ManagedDistribution.Platform.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ManagedDistribution.Features.Assignments.Users;

/// <summary><c>/api/users/{id}/assignments</c> and <c>/api/user-groups/{id}/assignments</c>: assign, list, preview, revoke, members.</summary>
public static class UserAssignmentEndpoints
{
    public static IEndpointRouteBuilder MapUserAssignments(this IEndpointRouteBuilder endpoints)
    {
        var users = endpoints.MapApiGroup("/users/{id}/assignments", "Assignments");
        users.MapPost("", AssignUserAsync).WithName("AssignToUser")
            .WithSummary("Assigns a catalogue item to a user {contentId, installMode}. Purchased content is user-licensed (licenseType user, assignmentMode appleId): pending / user-not-enrolled until the user enrols in managed distribution (no license reserved), then one license is associated with the user's clientUserId and the install goes to the user's enrolled devices. 409 token-missing / license-exhausted; 424 apple-refused.");
        users.MapGet("", ListUserAsync).WithName("ListUserAssignments").WithSummary("The user's assignments and their states.");
        users.MapPost("/preview", PreviewUserAsync).WithName("PreviewUserAssignment")
            .WithSummary("What the assignment would consume (a user who has not enrolled consumes nothing yet); changes nothing.");
        users.MapDelete("/{contentId}", RevokeUserAsync).WithName("RevokeUserAssignment")
            .WithSummary("Revokes: a purchased app is disassociated from the user and its license returned (kept when the user still has it through a group). 409 irrevocable for purchased books (R2).");

        var groups = endpoints.MapApiGroup("/user-groups/{id}/assignments", "Assignments");
        groups.MapPost("", AssignGroupAsync).WithName("AssignToUserGroup")
            .WithSummary("Assigns a catalogue item to every member of a user group: enrolled members are licensed first come first served in the order they enrolled (R17), the rest wait (pending / no-license-left); members not enrolled are pending / user-not-enrolled. 409 token-missing.");
        groups.MapGet("", ListGroupAsync).WithName("ListUserGroupAssignments").WithSummary("The group's assignments with per-state member counts.");
        groups.MapPost("/preview", PreviewGroupAsync).WithName("PreviewUserGroupAssignment")
            .WithSummary("How many members would be licensed, would wait, are not enrolled or hold a license already; changes nothing.");
        groups.MapDelete("/{contentId}", RevokeGroupAsync).WithName("RevokeUserGroupAssignment")
            .WithSummary("Revokes from every member (apps disassociated and returned unless a member keeps them through another assignment). 409 irrevocable for purchased books members hold.");
        groups.MapGet("/{contentId}/members", MembersAsync).WithName("ListUserGroupAssignmentMembers")
            .WithSummary("Per-member state (licensed, pending, installed, failed, revoked) with reason; filter by state; pages of up to 1000.");
        return endpoints;
    }

    static async Task<Results<Created<AssignmentDto>, Ok<AssignmentDto>, ProblemHttpResult>> AssignUserAsync(
        string id, AssignmentInput input, UserAssignments assignments, CancellationToken cancellationToken) =>
        AssignmentAnswers.Assigned(await assignments.AssignAsync(id, input, cancellationToken), $"{ApiRoutes.Prefix}/users/{id}/assignments");

    static async Task<Results<Ok<AssignmentList>, ProblemHttpResult>> ListUserAsync(string id, UserAssignments assignments, CancellationToken cancellationToken) =>
        AssignmentAnswers.OkOrNotFound(await assignments.ListAsync(id, cancellationToken), "No user has that id.");

    static async Task<Results<Ok<AssignmentPreview>, ProblemHttpResult>> PreviewUserAsync(
        string id, AssignmentInput input, UserAssignments assignments, CancellationToken cancellationToken)
    {
        var (preview, failure) = await assignments.PreviewAsync(id, input, cancellationToken);
        return AssignmentAnswers.OkOr(preview, failure);
    }

    static async Task<Results<NoContent, ProblemHttpResult>> RevokeUserAsync(
        string id, string contentId, UserAssignments assignments, CancellationToken cancellationToken) =>
        AssignmentAnswers.Revoked(await assignments.RevokeAsync(id, contentId, cancellationToken));

    static async Task<Results<Created<AssignmentDto>, Ok<AssignmentDto>, ProblemHttpResult>> AssignGroupAsync(
        string id, AssignmentInput input, UserGroupAssignments assignments, CancellationToken cancellationToken) =>
        AssignmentAnswers.Assigned(await assignments.AssignAsync(id, input, cancellationToken), $"{ApiRoutes.Prefix}/user-groups/{id}/assignments");

    static async Task<Results<Ok<AssignmentList>, ProblemHttpResult>> ListGroupAsync(string id, UserGroupAssignments assignments, CancellationToken cancellationToken) =>
        AssignmentAnswers.OkOrNotFound(await assignments.ListAsync(id, cancellationToken), "No user group has that id.");

    static async Task<Results<Ok<AssignmentPreview>, ProblemHttpResult>> PreviewGroupAsync(
        string id, AssignmentInput input, UserGroupAssignments assignments, CancellationToken cancellationToken)
    {
        var (preview, failure) = await assignments.PreviewAsync(id, input, cancellationToken);
        return AssignmentAnswers.OkOr(preview, failure);
    }

    static async Task<Results<NoContent, ProblemHttpResult>> RevokeGroupAsync(
        string id, string contentId, UserGroupAssignments assignments, CancellationToken cancellationToken) =>
        AssignmentAnswers.Revoked(await assignments.RevokeAsync(id, contentId, cancellationToken));

    static async Task<Results<Ok<AssignmentMemberPage>, ProblemHttpResult>> MembersAsync(string id, string contentId, string? state,
        string? continuationToken, int? pageSize, UserGroupAssignments assignments, CancellationToken cancellationToken)
    {
        var (page, failure) = await assignments.MembersAsync(id, contentId, state, continuationToken, pageSize, cancellationToken);
        return AssignmentAnswers.OkOr(page, failure);
    }
}
