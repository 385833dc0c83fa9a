using System.Collections.Concurrent;
using ManagedDistribution.Platform.Hosting;
using ManagedDistribution.Platform.Storage;
using ManagedDistribution.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ManagedDistribution.Tests.Platform.Hosting;

/// <summary>
/// The real app on Azurite with a fresh storage prefix, the probe functions registered
/// (<c>ProbeQueue</c> on queue <c>probe</c>, <c>ProbeTimer</c> on <c>Probe:Schedule</c>) and test-sized
/// timings. Settings passed in override the defaults (e.g. <c>Hosting:RunTriggers=false</c>).
/// </summary>
sealed class HostingAppFactory(AzuriteFixture azurite, IReadOnlyDictionary<string, string?>? settings = null, string environment = "Development")
    : WebApplicationFactory<Program>
{
    public string Prefix { get; } = AzuriteFixture.NewPrefix();

    public Probe Probe => Services.GetRequiredService<Probe>();

    /// <summary>A client on the same account and prefix, independent of the app (it outlives the factory).</summary>
    public QueueServiceClient NewQueueServiceClient() =>
        new(azurite.Account, Microsoft.Extensions.Options.Options.Create(new StorageOptions { Prefix = Prefix }));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(environment);
        var defaults = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Storage:Prefix"] = Prefix,
            ["Auth:AdminApiKeys:0"] = AppFactory.NewAdminKey(),
            ["Hosting:MinPollingInterval"] = "00:00:00.050",
            ["Hosting:MaxPollingInterval"] = "00:00:00.200",
            ["Hosting:RetryDelay"] = "00:00:00",
            ["Hosting:LeaseDuration"] = "00:00:30",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) defaults[key] = value;
        foreach (var (key, value) in defaults) builder.UseSetting(key, value);

        builder.ConfigureTestServices(services =>
        {
            services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
            services.AddSingleton<Probe>();
            services.AddQueueFunction<ProbeQueueHandler>("ProbeQueue", queueName: "probe");
            services.AddTimerFunction<ProbeTimerHandler>("ProbeTimer", scheduleConfigKey: "Probe:Schedule", defaultSchedule: "0 0 0 1 1 *");
        });
    }
}

/// <summary>What the probe handlers saw, and what they should do next.</summary>
sealed class Probe
{
    public ConcurrentQueue<QueueInvocation> QueueCalls { get; } = new();
    public ConcurrentQueue<TimerInvocation> TimerCalls { get; } = new();
    public Func<QueueInvocation, CancellationToken, Task> OnQueue { get; set; } = (_, _) => Task.CompletedTask;
    public Func<TimerInvocation, CancellationToken, Task> OnTimer { get; set; } = (_, _) => Task.CompletedTask;
}

sealed class ProbeQueueHandler(Probe probe) : IQueueHandler
{
    public Task HandleAsync(QueueInvocation invocation, CancellationToken cancellationToken)
    {
        probe.QueueCalls.Enqueue(invocation);
        return probe.OnQueue(invocation, cancellationToken);
    }
}

sealed class ProbeTimerHandler(Probe probe) : ITimerHandler
{
    public Task HandleAsync(TimerInvocation invocation, CancellationToken cancellationToken)
    {
        probe.TimerCalls.Enqueue(invocation);
        return probe.OnTimer(invocation, cancellationToken);
    }
}

static class Eventually
{
    /// <summary>Polls until <paramref name="condition"/> holds. The bound only keeps a broken test from hanging; it is not a timing assertion.</summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, string what, double seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"Gave up waiting for: {what}");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    public static Task TrueAsync(Func<bool> condition, string what, double seconds = 60) =>
        TrueAsync(() => Task.FromResult(condition()), what, seconds);
}
