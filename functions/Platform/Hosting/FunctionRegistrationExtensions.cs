using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ManagedDistribution.Platform.Hosting;

/// <summary>
/// How a feature declares a queue or timer function. Each call must be matched by a
/// <c>functions/Bindings/&lt;Name&gt;/function.json</c> (checked by <c>BindingsContractTests</c>).
/// </summary>
public static partial class FunctionRegistrationExtensions
{
    /// <summary>
    /// Registers <typeparamref name="THandler"/> for messages on <paramref name="queueName"/>
    /// (without <c>Storage:Prefix</c>; the prefix is added when the queue is opened). The name must
    /// be <c>&lt;Feature&gt;Queue</c>, e.g. <c>services.AddQueueFunction&lt;PushQueueHandler&gt;("PushQueue", "push")</c>.
    /// </summary>
    public static IServiceCollection AddQueueFunction<THandler>(this IServiceCollection services, string name, string queueName)
        where THandler : class, IQueueHandler
    {
        Require(QueueFunctionName().IsMatch(name), name, "<Feature>Queue");
        if (!QueueName().IsMatch(queueName) || queueName.Contains("--") || (queueName + QueueFunction.PoisonSuffix).Length > 43)
            throw new ArgumentException($"'{queueName}' must be lowercase letters, digits and single hyphens, short enough for a prefix and '-poison'.", nameof(queueName));
        return services.AddFunction<THandler>(new QueueFunction(name, queueName, typeof(THandler)));
    }

    /// <summary>
    /// Registers <typeparamref name="THandler"/> on the 6-field NCRONTAB schedule (UTC) found at
    /// <paramref name="scheduleConfigKey"/>, or <paramref name="defaultSchedule"/> when unset, e.g.
    /// <c>AddTimerFunction&lt;ReconcileTimerHandler&gt;("ReconcileTimer", "Reconciliation:Schedule", "0 0 * * * *")</c>.
    /// </summary>
    public static IServiceCollection AddTimerFunction<THandler>(this IServiceCollection services, string name,
        string scheduleConfigKey, string defaultSchedule)
        where THandler : class, ITimerHandler
    {
        Require(TimerFunctionName().IsMatch(name), name, "<Feature>Timer");
        ArgumentException.ThrowIfNullOrWhiteSpace(scheduleConfigKey);
        TimerFunction.Parse(defaultSchedule); // fail at startup, not at the first tick
        return services.AddFunction<THandler>(new TimerFunction(name, scheduleConfigKey, defaultSchedule, typeof(THandler)));
    }

    static IServiceCollection AddFunction<THandler>(this IServiceCollection services, FunctionDescriptor function)
        where THandler : class
    {
        services.AddHostingCore();
        services.TryAddScoped<THandler>();
        services.AddSingleton(function);
        services.AddSingleton<IHostedService>(sp => function switch
        {
            QueueFunction queue => ActivatorUtilities.CreateInstance<QueueListener>(sp, queue),
            TimerFunction timer => ActivatorUtilities.CreateInstance<TimerScheduler>(sp, timer),
            _ => throw new InvalidOperationException(),
        });
        return services;
    }

    static void Require(bool ok, string name, string pattern)
    {
        if (!ok) throw new ArgumentException($"Function name '{name}' must look like {pattern} (PascalCase).", nameof(name));
    }

    [GeneratedRegex("^[A-Z][A-Za-z0-9]*Queue$")]
    private static partial Regex QueueFunctionName();

    [GeneratedRegex("^[A-Z][A-Za-z0-9]*Timer$")]
    private static partial Regex TimerFunctionName();

    [GeneratedRegex("^[a-z0-9][a-z0-9-]*[a-z0-9]$")]
    private static partial Regex QueueName();
}
