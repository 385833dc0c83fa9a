using ManagedDistribution.Platform.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace ManagedDistribution.Features.Reconciliation;

/// <summary><c>/api/reconciliation</c>: start a run (202), list recent runs, read a run's drift report (DESIGN.md §4).</summary>
public static class ReconciliationEndpoints
{
    const int DefaultListCount = 20;

    public static IEndpointRouteBuilder MapReconciliation(this IEndpointRouteBuilder app)
    {
        var group = app.MapApiGroup("/reconciliation", "Reconciliation");
        group.MapPost("", StartAsync).WithName("StartReconciliation")
            .WithSummary("Starts a reconciliation with Apple (body optional: {full: true} ignores the sinceVersionId cursor). While one runs, answers that one.");
        group.MapGet("", ListAsync).WithName("ListReconciliations")
            .WithSummary("Recent runs, newest first (count ≤ 100, default 20).").ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapGet("/{runId}", GetAsync).WithName("GetReconciliation")
            .WithSummary("A run's drift report: per location and per item Apple's counts against ours, orphans, lost, duplicates, retired users holding licenses, stale reservations.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    static async Task<Accepted<ReconciliationStarted>> StartAsync(
        [FromBody(EmptyBodyBehavior = Microsoft.AspNetCore.Mvc.ModelBinding.EmptyBodyBehavior.Allow)] ReconciliationStartRequest? request,
        ReconciliationRuns runs, CancellationToken cancellationToken)
    {
        var started = await runs.StartAsync("api", request?.Full == true, cancellationToken);
        return TypedResults.Accepted($"{ApiRoutes.Prefix}/reconciliation/{started.RunId}", started);
    }

    static async Task<Results<Ok<ReconciliationRunList>, ProblemHttpResult>> ListAsync(ReconciliationStore store, int? count, CancellationToken cancellationToken)
    {
        if (count is < 1 or > 100) return Problems.Result(ProblemCodes.Validation, "count must be between 1 and 100.");
        var runs = await store.ListRunsAsync(count ?? DefaultListCount, cancellationToken);
        return TypedResults.Ok(new ReconciliationRunList([.. runs.Select(r => r.ToSummary())]));
    }

    static async Task<Results<Ok<ReconciliationReport>, ProblemHttpResult>> GetAsync(string runId, ReconciliationStore store, CancellationToken cancellationToken)
    {
        if (await store.GetRunAsync(runId, cancellationToken) is not { } run)
            return Problems.Result(ProblemCodes.NotFound, $"No reconciliation run '{runId}'.");
        return TypedResults.Ok(new ReconciliationReport(run.ToSummary(), await store.GetLocationsAsync(runId, cancellationToken)));
    }
}
