using ManagedDistribution.Platform.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ManagedDistribution.Platform.Workflows;

public static class WorkflowsModule
{
    /// <summary>
    /// Registers the <see cref="WorkflowEngine"/> and the <c>WorkflowsTimer</c> sweep of stalled
    /// starts and expired workflows, once however many features ask. A kind adds its processor and a queue function whose
    /// handler calls <see cref="WorkflowEngine.RunChunkAsync"/>; see README.md here.
    /// </summary>
    public static IServiceCollection AddWorkflows(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        if (services.Any(d => d.ServiceType == typeof(WorkflowEngine))) return services;
        services.AddSingleton<WorkflowEngine>();
        services.AddOptions<WorkflowsOptions>().BindConfiguration(WorkflowsOptions.SectionName)
            .Validate(o => o.StalledStartAfter > TimeSpan.Zero, "Workflows:StalledStartAfter must be positive.")
            .Validate(o => o.RetainFinishedFor == TimeSpan.Zero || o.RetainFinishedFor >= TimeSpan.FromHours(1),
                "Workflows:RetainFinishedFor must be at least 01:00:00, or 00:00:00 to keep finished workflows forever.")
            .ValidateOnStart();
        services.AddTimerFunction<WorkflowsTimerHandler>("WorkflowsTimer",
            WorkflowsOptions.SectionName + ":" + nameof(WorkflowsOptions.StalledStartSweep), WorkflowsOptions.DefaultStalledStartSweep);
        return services;
    }
}
