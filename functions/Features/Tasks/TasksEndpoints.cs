using ManagedDistribution.Platform.Http;
using ManagedDistribution.Platform.Workflows;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ManagedDistribution.Features.Tasks;

/// <summary>
/// <c>/api/tasks</c>: workflows in flight or finished (push delivery, later invitation campaigns),
/// with progress per item state (DESIGN.md §4, R15).
/// </summary>
public static class TasksEndpoints
{
    const int DefaultPageSize = 100;
    const int ProgressReadConcurrency = 8;

    public static IEndpointRouteBuilder MapTasks(this IEndpointRouteBuilder app)
    {
        var group = app.MapApiGroup("/tasks", "Tasks");
        group.MapGet("", ListAsync).WithName("ListTasks")
            .WithSummary("Lists tasks (state=active|completed|all, default active) with progress counts per item state.")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapGet("/{id}", GetAsync).WithName("GetTask")
            .WithSummary("One task with a page of its items; pageSize=0 answers its progress alone (cheap to poll).")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id}/cancel", CancelAsync).WithName("CancelTask")
            .WithSummary("Cancels a task; idempotent. 409 when it already completed or failed.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    static async Task<Results<Ok<TaskListView>, ProblemHttpResult>> ListAsync(WorkflowEngine engine, IEnumerable<IDeviceInvitationsInFlight> invitations,
        string? state, string? continuationToken, int? pageSize, CancellationToken cancellationToken)
    {
        WorkflowFilter? filter = (state ?? "active") switch
        {
            "active" => WorkflowFilter.Active,
            "completed" => WorkflowFilter.Finished,
            "all" => WorkflowFilter.All,
            _ => null,
        };
        if (filter is null) return Problems.Result(ProblemCodes.Validation, "state must be active, completed or all.");
        if (CheckPaging(pageSize, continuationToken) is { } bad) return bad;
        var page = await engine.ListAsync(filter.Value, continuationToken, pageSize ?? DefaultPageSize, cancellationToken);
        var views = new TaskView[page.Workflows.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, views.Length),
            new ParallelOptions { MaxDegreeOfParallelism = ProgressReadConcurrency, CancellationToken = cancellationToken },
            async (i, ct) => views[i] = TaskView.From(page.Workflows[i], await engine.GetProgressAsync(page.Workflows[i], ct)));
        var active = page.Workflows.Where(w => w.State is WorkflowStates.Starting or WorkflowStates.Running).ToList();
        List<DeviceInvitationView>? inFlight = null;
        if (filter == WorkflowFilter.Active)
            foreach (var source in invitations) (inFlight ??= []).AddRange(await source.ListAsync(active, cancellationToken));
        return TypedResults.Ok(new TaskListView(views, page.ContinuationToken, inFlight, inFlight is null ? null : inFlight.Count >= IDeviceInvitationsInFlight.MaxListed));
    }

    static async Task<Results<Ok<TaskDetailView>, ProblemHttpResult>> GetAsync(WorkflowEngine engine, string id, string? continuationToken,
        int? pageSize, CancellationToken cancellationToken)
    {
        if (CheckPaging(pageSize == 0 ? null : pageSize, continuationToken) is { } bad) return bad;
        var workflow = await engine.GetAsync(id, cancellationToken);
        if (workflow is null) return Problems.Result(ProblemCodes.NotFound, $"No task '{id}'.");
        // Progress alone: a chunk kept as a manifest is read whole to page its items (10,000 for a
        // device campaign), which a progress bar polled every second does not need.
        var items = pageSize == 0 ? new WorkflowItemPage([], null)
            : await engine.GetItemsAsync(id, continuationToken, pageSize ?? DefaultPageSize, cancellationToken);
        var progress = await engine.GetProgressAsync(workflow, cancellationToken);
        return TypedResults.Ok(new TaskDetailView(TaskView.From(workflow, progress), [.. items.Items.Select(TaskItemView.From)], items.ContinuationToken));
    }

    static async Task<Results<Ok<TaskView>, ProblemHttpResult>> CancelAsync(WorkflowEngine engine, string id, CancellationToken cancellationToken)
    {
        var (outcome, workflow) = await engine.CancelAsync(id, cancellationToken);
        return outcome switch
        {
            CancelOutcome.NotFound => Problems.Result(ProblemCodes.NotFound, $"No task '{id}'."),
            CancelOutcome.AlreadyFinished => Problems.Result(ProblemCodes.TaskFinished, $"Task '{id}' already {workflow!.State}."),
            _ => TypedResults.Ok(TaskView.From(workflow!, await engine.GetProgressAsync(workflow!, cancellationToken))),
        };
    }

    static ProblemHttpResult? CheckPaging(int? pageSize, string? continuationToken) =>
        pageSize is not (null or (>= 1 and <= 1000)) ? Problems.Result(ProblemCodes.Validation, "pageSize must be between 1 and 1000.")
        : !PageTokens.IsValid(continuationToken) ? Problems.Result(ProblemCodes.Validation, "The continuation token is not valid.")
        : null;
}
