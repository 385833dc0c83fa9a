using ManagedDistribution.Features.AppleNotifications;
using ManagedDistribution.Platform.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ManagedDistribution.Features.Reconciliation;

/// <summary>Reconciliation with Apple: runs (API and hourly timer), the queue function that carries them, ASSET_MANAGEMENT.</summary>
public static class ReconciliationModule
{
    public static IServiceCollection AddReconciliation(this IServiceCollection services)
    {
        services.AddOptions<ReconciliationOptions>().BindConfiguration(ReconciliationOptions.SectionName)
            .Validate(o => o.IsValid(), "Reconciliation options out of range (ages and timeouts positive, ReportListLimit 1-200, ItemConcurrency 1-64).")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ReconciliationStore>();
        services.AddSingleton<ReconciliationState>();
        services.AddSingleton<ReconciliationRuns>();
        services.AddSingleton<LedgerPartitionScan>();
        services.AddSingleton<VerifiedItems>();
        services.AddSingleton<DriftRepairs>();
        services.AddSingleton<ItemReconciler>();
        services.AddSingleton<IAppleNotificationHandler, AssetManagementHandler>();
        services.AddQueueFunction<ReconciliationQueueHandler>("ReconciliationQueue", ReconciliationRuns.QueueName);
        services.AddTimerFunction<ReconciliationTimerHandler>("ReconciliationTimer",
            ReconciliationOptions.SectionName + ":" + nameof(ReconciliationOptions.Schedule), ReconciliationOptions.DefaultSchedule);
        return services;
    }
}
