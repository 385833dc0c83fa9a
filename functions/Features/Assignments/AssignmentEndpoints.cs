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
        string id, AssignmentInput input, DeviceAssignments assignments, CancellationToken cancellationToken)
    {
        var outcome = await assignments.AssignAsync(id, input, cancellationToken);
        if (outcome.Refusal is { } refusal) return Problem(refusal);
        return outcome.Created
            ? TypedResults.Created($"{ApiRoutes.Prefix}/devices/{id}/assignments", outcome.Value!)
            : TypedResults.Ok(outcome.Value!);
    }

    static async Task<Results<Ok<AssignmentList>, ProblemHttpResult>> ListAsync(string id, DeviceAssignments assignments, CancellationToken cancellationToken) =>
        await assignments.ListAsync(id, cancellationToken) is { } list ? TypedResults.Ok(list) : Problem(new(ProblemCodes.NotFound, "No device has that id."));

    static async Task<Results<Ok<AssignmentPreview>, ProblemHttpResult>> PreviewAsync(
        string id, AssignmentInput input, DeviceAssignments assignments, CancellationToken cancellationToken)
    {
        var (preview, failure) = await assignments.PreviewAsync(id, input, cancellationToken);
        return preview is not null ? TypedResults.Ok(preview) : Problem(failure!);
    }

    static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(
        string id, string contentId, DeviceAssignments assignments, CancellationToken cancellationToken) =>
        await assignments.RevokeAsync(id, contentId, cancellationToken) is { } refusal ? Problem(refusal) : TypedResults.NoContent();

    static ProblemHttpResult Problem(Refusal refusal) => Problems.Result(refusal.Problem, refusal.Reason);
}
