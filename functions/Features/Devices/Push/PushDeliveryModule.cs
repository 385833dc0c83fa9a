using ManagedDistribution.Platform.Hosting;
using ManagedDistribution.Platform.Workflows;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ManagedDistribution.Features.Devices.Push;

public static class PushDeliveryModule
{
    /// <summary>
    /// Registers the push delivery workflow: <see cref="IPushScheduler"/>, the <c>PushQueue</c>
    /// function, the <c>Push</c> options, and (if not yet there) the APNs client and the workflow engine.
    /// </summary>
    public static IServiceCollection AddPushDelivery(this IServiceCollection services)
    {
        services.AddOptions<PushOptions>().BindConfiguration(PushOptions.SectionName).ValidateDataAnnotations()
            .Validate(o => o.IsValid(), "Push:CheckinWindow must be positive and at most 7 days.").ValidateOnStart();
        if (!services.Any(d => d.ServiceType == typeof(ApnsClient))) services.AddPush();
        services.AddWorkflows();
        services.TryAddSingleton<RecentPushes>();
        services.AddSingleton<IPushScheduler, PushScheduler>();
        services.AddQueueFunction<PushQueueHandler>("PushQueue", PushScheduler.QueueName);
        return services;
    }
}
