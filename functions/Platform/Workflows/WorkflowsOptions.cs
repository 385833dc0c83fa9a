namespace ManagedDistribution.Platform.Workflows;

/// <summary>Workflow engine settings (section <c>Workflows</c>): the sweep of starts left half done and of finished workflows.</summary>
public sealed class WorkflowsOptions
{
    public const string SectionName = "Workflows";
    public const string DefaultStalledStartSweep = "0 */5 * * * *";

    /// <summary>6-field NCRONTAB (UTC) of <c>WorkflowsTimer</c>, which finishes or fails stalled starts and deletes expired workflows; every 5 minutes by default.</summary>
    public string StalledStartSweep { get; set; } = DefaultStalledStartSweep;

    /// <summary>A workflow still <c>starting</c> after this long lost its caller (a start takes seconds).</summary>
    public TimeSpan StalledStartAfter { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// How long a finished workflow (a task: campaign, assignment, push delivery) stays, with its
    /// items, before the sweep deletes it; 30 days by default, <c>00:00:00</c> keeps them forever.
    /// </summary>
    public TimeSpan RetainFinishedFor { get; set; } = TimeSpan.FromDays(30);

    /// <summary>At most this many workflows deleted per sweep, so a sweep stays short; the next one goes on.</summary>
    public const int DeletedPerSweep = 200;
}

/// <summary>Timer function <c>WorkflowsTimer</c>: <see cref="WorkflowEngine.SweepStalledStartsAsync"/>, then <see cref="WorkflowEngine.DeleteFinishedAsync"/>.</summary>
sealed class WorkflowsTimerHandler(WorkflowEngine engine, TimeProvider time, Microsoft.Extensions.Options.IOptions<WorkflowsOptions> options) : Hosting.ITimerHandler
{
    public async Task HandleAsync(Hosting.TimerInvocation invocation, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        await engine.SweepStalledStartsAsync(settings.StalledStartAfter, cancellationToken);
        if (settings.RetainFinishedFor > TimeSpan.Zero)
            await engine.DeleteFinishedAsync(time.GetUtcNow() - settings.RetainFinishedFor, WorkflowsOptions.DeletedPerSweep, cancellationToken);
    }
}
