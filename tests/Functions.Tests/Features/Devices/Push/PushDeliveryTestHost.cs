using System.Net.Http.Json;
using ManagedDistribution.AppleEmulator.Apns;
using ManagedDistribution.AppleEmulator.Certificates;
using ManagedDistribution.Features.Devices;
using ManagedDistribution.Features.Tasks;
using ManagedDistribution.Tests.Infrastructure;
using ManagedDistribution.Tests.Platform.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ManagedDistribution.Tests.Features.Devices.Push;

/// <summary>
/// The real app on Azurite pushing to the emulator's APNs endpoint, with <see cref="InMemoryPushTargets"/>
/// standing in for the Devices feature and test-sized windows (1 s check-in window, fast polling).
/// </summary>
static class PushDeliveryTestHost
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public static AppFactory NewApp(AzuriteFixture azurite, ApnsEmulatorFixture emulator, InMemoryPushTargets targets, string? prefix = null,
        Dictionary<string, string?>? settings = null)
    {
        var app = new AppFactory(azurite, prefix)
        {
            Settings = emulator.AppSettings(checkinWindow: "00:00:01"),
            ConfigureServices = services =>
            {
                services.AddSingleton<IPushTargets>(targets);
                services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
            },
        };
        foreach (var (key, value) in settings ?? []) app.Settings[key] = value;
        return app;
    }

    public static IPushScheduler Scheduler(this AppFactory app) => app.Services.GetRequiredService<IPushScheduler>();

    /// <summary>Each of <paramref name="channels"/> checks in shortly after a push reaches it, as a real device would.</summary>
    public static IDisposable Responsive(ApnsRegistry registry, InMemoryPushTargets targets, IEnumerable<ChannelId> channels, int delayMs = 50)
    {
        var subscriptions = channels.Select(c => registry.Subscribe(targets[c].TokenHex, _ => CheckInLater(targets, c, delayMs))).ToList();
        return new Subscriptions(subscriptions);
    }

    static void CheckInLater(InMemoryPushTargets targets, ChannelId channel, int delayMs) => _ = Task.Run(async () =>
    {
        await Task.Delay(delayMs);
        targets.CheckIn(channel);
    });

    public static async Task<TaskDetailView> GetTaskAsync(this HttpClient client, string id, string query = "") =>
        (await client.GetFromJsonAsync<TaskDetailView>($"/api/tasks/{id}{query}", Cancel))!;

    public static async Task<TaskDetailView> WaitForAsync(this HttpClient client, string id, Func<TaskView, bool> condition, string what,
        double seconds = 30)
    {
        TaskDetailView? last = null;
        await Eventually.TrueAsync(async () => condition((last = await client.GetTaskAsync(id)).Task), what, seconds);
        return last!;
    }

    public static Task<TaskDetailView> WaitForFinishAsync(this HttpClient client, string id, double seconds = 30) =>
        client.WaitForAsync(id, t => t.CompletedAt is not null, $"task {id} to finish", seconds);

    sealed class Subscriptions(List<IDisposable> all) : IDisposable
    {
        public void Dispose() => all.ForEach(s => s.Dispose());
    }
}
