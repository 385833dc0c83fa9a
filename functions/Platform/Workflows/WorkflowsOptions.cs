namespace ManagedDistribution.Platform.Workflows;

/// <summary>Workflow engine settings (section <c>Workflows</c>): the sweep of starts left half done.</summary>
public sealed class WorkflowsOptions
{
    public const string SectionName = "Workflows";
    public const string DefaultStalledStartSweep = "0 */5 * * * *";

    /// <summary>6-field NCRONTAB (UTC) of <c>WorkflowsTimer</c>, which finishes or fails stalled starts; every 5 minutes by default.</summary>
    public string StalledStartSweep { get; set; } = DefaultStalledStartSweep;

    /// <summary>A workflow still <c>starting</c> after this long lost its caller (a start takes seconds).</summary>
    public TimeSpan StalledStartAfter { get; set; } = TimeSpan.FromMinutes(15);
}

/// <summary>Timer function <c>WorkflowsTimer</c>: <see cref="WorkflowEngine.SweepStalledStartsAsync"/>.</summary>
sealed class StalledStartsTimerHandler(WorkflowEngine engine, Microsoft.Extensions.Options.IOptions<WorkflowsOptions> options) : Hosting.ITimerHandler
{
    public Task HandleAsync(Hosting.TimerInvocation invocation, CancellationToken cancellationToken) =>
        engine.SweepStalledStartsAsync(options.Value.StalledStartAfter, cancellationToken);
}
