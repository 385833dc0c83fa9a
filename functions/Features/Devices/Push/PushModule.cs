using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ManagedDistribution.Features.Devices.Push;

public static class PushModule
{
    /// <summary>Registers <see cref="ApnsClient"/>, <see cref="ApnsHealth"/> and the <c>Apns</c> options.</summary>
    public static IServiceCollection AddPush(this IServiceCollection services)
    {
        services.AddOptions<ApnsOptions>().BindConfiguration(ApnsOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ApnsHealth>();
        services.AddSingleton<ApnsClient>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddHealthChecks().AddCheck<ApnsHealthCheck>(ApnsHealthCheck.Name);
        return services;
    }
}
