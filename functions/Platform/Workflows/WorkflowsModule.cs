using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ManagedDistribution.Platform.Workflows;

public static class WorkflowsModule
{
    /// <summary>
    /// Registers the <see cref="WorkflowEngine"/>. A kind adds its processor and a queue function
    /// whose handler calls <see cref="WorkflowEngine.RunChunkAsync"/>; see README.md here.
    /// </summary>
    public static IServiceCollection AddWorkflows(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<WorkflowEngine>();
        return services;
    }
}
