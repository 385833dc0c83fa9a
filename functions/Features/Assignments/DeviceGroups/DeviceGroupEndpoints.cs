using ManagedDistribution.Features.Assignments.Members;
using ManagedDistribution.Platform.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ManagedDistribution.Features.Assignments.DeviceGroups;

/// <summary><c>/api/device-groups/{id}/assignments</c>: assign to every member, list with member counts, members, preview, revoke.</summary>
public static class DeviceGroupEndpoints
{
    public static RouteGroupBuilder MapDeviceGroupAssignments(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapApiGroup("/device-groups/{id}/assignments", "Device group assignments");
        group.MapPost("", AssignAsync).WithName("AssignToDeviceGroup")
            .WithSummary("Assigns a catalogue item to every member {contentId, installMode}. Members are checked one by one (ineligible or unenrolled ones stay pending with a reason); purchased apps reserve the whole need at once, first come first served (the rest wait). 201 done inline; 202 with taskId when a workflow licenses a large group; 200 when it existed. 409 token-missing / not-eligible (content no device may receive).");
        group.MapGet("", ListAsync).WithName("ListDeviceGroupAssignments").WithSummary("The group's assignments with member counts per state.");
        group.MapGet("/{contentId}/members", MembersAsync).WithName("ListDeviceGroupAssignmentMembers")
            .WithSummary("Per-member state (licensed, pending + reason, installed, failed + reason, revoked), paged; filter with state.");
        group.MapPost("/preview", PreviewAsync).WithName("PreviewDeviceGroupAssignment")
            .WithSummary("Licenses the assignment would consume, licenses available, and who would be left out and why (counts per reason, first member ids); changes nothing.");
        group.MapDelete("/{contentId}", RevokeAsync).WithName("RevokeDeviceGroupAssignment")
            .WithSummary("Revokes for every member: licenses disassociated and returned (or handed to another assignment that still covers the device), removal commands queued where we installed. 204 when done inline (up to 100 members not yet revoked); more: 202 {taskId} with Location /api/tasks/{taskId}, the assignment shows state 'revoking' until the workflow removes it (a repeated DELETE meanwhile answers the same task). 404 when there is no such assignment; 409 token-missing; apple-refused when Apple refused devices (the assignment is kept).");
        return group;
    }

    static async Task<Results<Created<DeviceGroupAssignmentDto>, Accepted<DeviceGroupAssignmentDto>, Ok<DeviceGroupAssignmentDto>, ProblemHttpResult>> AssignAsync(
        string id, AssignmentInput input, DeviceGroupAssignments assignments, CancellationToken cancellationToken)
    {
        var outcome = await assignments.AssignAsync(id, input, cancellationToken);
        if (outcome.Refusal is { } refusal) return AssignmentAnswers.Problem(refusal);
        var value = outcome.Value!;
        var location = $"{ApiRoutes.Prefix}/device-groups/{id}/assignments/{value.ContentId}/members";
        if (!outcome.Created) return TypedResults.Ok(value);
        return value.TaskId is null ? TypedResults.Created(location, value) : TypedResults.Accepted(location, value);
    }

    static async Task<Results<Ok<DeviceGroupAssignmentList>, ProblemHttpResult>> ListAsync(string id, DeviceGroupAssignments assignments, CancellationToken cancellationToken) =>
        AssignmentAnswers.OkOrNotFound(await assignments.ListAsync(id, cancellationToken), "No device group has that id.");

    static async Task<Results<Ok<AssignmentMemberPage>, ProblemHttpResult>> MembersAsync(string id, string contentId, string? state, string? continuationToken,
        int? pageSize, DeviceGroupAssignments assignments, CancellationToken cancellationToken)
    {
        var (page, refusal) = await assignments.MembersAsync(id, contentId, state, continuationToken, pageSize, cancellationToken);
        return AssignmentAnswers.OkOr(page, refusal);
    }

    static async Task<Results<Ok<DeviceGroupAssignmentPreview>, ProblemHttpResult>> PreviewAsync(
        string id, AssignmentInput input, DeviceGroupAssignments assignments, CancellationToken cancellationToken)
    {
        var (preview, failure) = await assignments.PreviewAsync(id, input, cancellationToken);
        return AssignmentAnswers.OkOr(preview, failure);
    }

    static async Task<Results<NoContent, Accepted<DeviceGroupRevocationTask>, ProblemHttpResult>> RevokeAsync(string id, string contentId,
        DeviceGroupAssignments assignments, CancellationToken cancellationToken)
    {
        var outcome = await assignments.RevokeAsync(id, contentId, cancellationToken);
        if (outcome.Refusal is { } refusal) return AssignmentAnswers.Problem(refusal);
        return outcome.Task is { } task ? TypedResults.Accepted($"{ApiRoutes.Prefix}/tasks/{task.TaskId}", task) : TypedResults.NoContent();
    }
}
