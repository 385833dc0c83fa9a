using ManagedDistribution.Platform.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ManagedDistribution.Features.Assignments;

/// <summary>How every assignment endpoint (devices, device groups, users, user groups) turns a service's answer into HTTP.</summary>
public static class AssignmentAnswers
{
    public static ProblemHttpResult Problem(Refusal refusal) => Problems.Result(refusal.Problem, refusal.Reason);

    /// <summary>201 for a new assignment, 200 when it already existed, the refusal's problem otherwise.</summary>
    public static Results<Created<AssignmentDto>, Ok<AssignmentDto>, ProblemHttpResult> Assigned(AssignOutcome outcome, string location)
    {
        if (outcome.Refusal is { } refusal) return Problem(refusal);
        return outcome.Created ? TypedResults.Created(location, outcome.Value!) : TypedResults.Ok(outcome.Value!);
    }

    /// <summary>The value, or the problem of the refusal that stands in its place.</summary>
    public static Results<Ok<T>, ProblemHttpResult> OkOr<T>(T? value, Refusal? failure) where T : class =>
        value is not null ? TypedResults.Ok(value) : Problem(failure!);

    /// <summary>The value, or 404 with <paramref name="notFound"/>.</summary>
    public static Results<Ok<T>, ProblemHttpResult> OkOrNotFound<T>(T? value, string notFound) where T : class =>
        OkOr(value, new Refusal(ProblemCodes.NotFound, notFound));

    /// <summary>204 when revoked, the refusal's problem otherwise.</summary>
    public static Results<NoContent, ProblemHttpResult> Revoked(Refusal? refusal) =>
        refusal is not null ? Problem(refusal) : TypedResults.NoContent();
}
