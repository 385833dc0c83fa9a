using ManagedDistribution.Platform.Http;
using ManagedDistribution.Features.Assignments.Users;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ManagedDistribution.Features.Assignments;

/// <summary><c>/api/devices/{id}/assignments</c>: assign, list, preview and revoke content on one device.</summary>
public static class AssignmentEndpoints
{
    public static RouteGroupBuilder MapAssignments(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapApiGroup("/devices/{id}/assignments", "Assignments");
        group.MapPost("", AssignAsync).WithName("AssignToDevice")
            .WithSummary("Assigns a catalogue item to an enrolled device {contentId, installMode}: purchased apps take one license (committed at Apple), then the install command is queued. 409 not-enrolled / not-eligible / token-missing / license-exhausted; 424 apple-refused (kept as failed).");
        group.MapGet("", ListAsync).WithName("ListDeviceAssignments").WithSummary("The device's assignments and their states.");
        group.MapPost("/preview", PreviewAsync).WithName("PreviewDeviceAssignment")
            .WithSummary("What the assignment would consume and why it would be refused; changes nothing.");
        group.MapDelete("/{contentId}", RevokeAsync).WithName("RevokeDeviceAssignment")
            .WithSummary("Revokes: a purchased app's license is disassociated at Apple and returned; installed content is removed where we can name it. 404 when there is no such assignment.");
        endpoints.MapUserAssignments();
        return group;
    }

    static async Task<Results<Created<AssignmentDto>, Ok<AssignmentDto>, ProblemHttpResult>> AssignAsync(
        string id, AssignmentInput input, DeviceAssignments assignments, CancellationToken cancellationToken) =>
        AssignmentAnswers.Assigned(await assignments.AssignAsync(id, input, cancellationToken), $"{ApiRoutes.Prefix}/devices/{id}/assignments");

    static async Task<Results<Ok<AssignmentList>, ProblemHttpResult>> ListAsync(string id, DeviceAssignments assignments, CancellationToken cancellationToken) =>
        AssignmentAnswers.OkOrNotFound(await assignments.ListAsync(id, cancellationToken), "No device has that id.");

    static async Task<Results<Ok<AssignmentPreview>, ProblemHttpResult>> PreviewAsync(
        string id, AssignmentInput input, DeviceAssignments assignments, CancellationToken cancellationToken)
    {
        var (preview, failure) = await assignments.PreviewAsync(id, input, cancellationToken);
        return AssignmentAnswers.OkOr(preview, failure);
    }

    static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(
        string id, string contentId, DeviceAssignments assignments, CancellationToken cancellationToken) =>
        AssignmentAnswers.Revoked(await assignments.RevokeAsync(id, contentId, cancellationToken));
}
