using System.Diagnostics;
using ManagedDistribution.AppleEmulator.Certificates;
using ManagedDistribution.Features.Devices;
using ManagedDistribution.Features.Devices.Push;
using ManagedDistribution.Platform;
using ManagedDistribution.Platform.Workflows;
using ManagedDistribution.Tests.Features.Devices.Push;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ManagedDistribution.Benchmarks;

/// <summary>
/// `pushflow`: the push delivery workflow end to end in one app instance (queue listener, workflow
/// rows and chunk transactions on Azurite, HTTP/2 pushes to the emulated APNs), with the in-memory
/// <see cref="InMemoryPushTargets"/> standing in for the device registry. Reports channels pushed
/// per second from <c>SchedulePushesAsync</c> until every channel is pushed, then the check-in wave,
/// next to the batched-table ceiling measured in the same run.
/// Options: <c>--channels 10000 --chunk 500 --in-process</c>.
/// </summary>
public static class PushFlowBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var channelCount = BenchmarkOptions.Int(args, "--channels", 10_000);
        var chunkSize = BenchmarkOptions.Int(args, "--chunk", 500);
        var inProcess = args.Contains("--in-process");
        var folder = Path.Combine(Path.GetTempPath(), "md-push-benchmark-certificates");

        await using var storage = await BenchmarkStorage.StartAsync();
        await using var emulator = inProcess ? await BenchmarkEmulator.StartInProcessAsync(folder, 1000) : await BenchmarkEmulator.StartProcessAsync(folder, 1000);
        var certificates = TestPkiFolder.LoadOrCreate(folder);
        var targets = new InMemoryPushTargets();
        var channels = Enumerable.Range(0, channelCount).Select(_ => targets.Add(certificates.Pki.PushTopic, waiting: 3)).ToList();

        await using var app = await StartAppAsync(storage, emulator, certificates, targets, chunkSize);
        var scheduler = app.Services.GetRequiredService<IPushScheduler>();
        var engine = app.Services.GetRequiredService<WorkflowEngine>();
        await scheduler.SchedulePushesAsync([targets.Add(certificates.Pki.PushTopic)], "warm-up", "warm-up", default);

        var clock = Stopwatch.StartNew();
        var id = await scheduler.SchedulePushesAsync(channels, "benchmark", "benchmark-" + Guid.NewGuid(), default);
        var started = clock.Elapsed;
        var workflow = (await engine.GetAsync(id, default))!;
        await WaitAsync(engine, workflow, p => p.Counts.GetValueOrDefault(PushItemStates.Pushed) == channelCount, TimeSpan.FromSeconds(120));
        var pushed = clock.Elapsed;

        channels.ForEach(targets.CheckIn);
        var final = await WaitAsync(engine, workflow, p => p.Open == 0, TimeSpan.FromSeconds(120));
        var completed = clock.Elapsed;

        var batched = await new StorageCeilings(storage).TableBatchedEntitiesPerSecondAsync(20_000, 4);
        var where = inProcess ? "emulator in-process" : "emulator in a separate process";
        Report.Line($"pushflow: channels pushed/s end to end ({channelCount:N0})", channelCount / pushed.TotalSeconds, "ch/s",
            $"(start {started.TotalMilliseconds:N0} ms, all pushed after {pushed.TotalSeconds:N2} s, {chunkSize}/chunk, {where})");
        Report.Line("pushflow: check-in wave done after", (completed - pushed).TotalMilliseconds, "ms",
            $"(devices check in once all are pushed; 2 s window, so chunks pushed early are pushed again; {final.Counts.GetValueOrDefault(PushItemStates.Delivered):N0} delivered)");
        Report.Line("storage: table batched entities/s (4 x 100-entity)", batched, "ent/s",
            "(each channel costs 1 batched insert at start + 1 batched update per wave: ceiling ≈ half this)");
        return final.Counts.GetValueOrDefault(PushItemStates.Delivered) == channelCount ? 0 : 1;
    }

    static async Task<WebApplication> StartAppAsync(BenchmarkStorage storage, BenchmarkEmulator emulator, TestPkiFolder certificates,
        InMemoryPushTargets targets, int chunkSize)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = storage.ConnectionString,
            ["Storage:Prefix"] = $"pf{Environment.ProcessId % 10000}",
            ["Auth:AdminApiKeys:0"] = "benchmark-" + Guid.NewGuid(),
            ["Apns:BaseUrl"] = emulator.BaseUrl.ToString(),
            ["Apns:CertificatePath"] = certificates.PushCertificatePath,
            ["Apns:CertificatePassword"] = TestPki.Password,
            ["Apns:TrustedCaPath"] = certificates.LocalCaPemPath,
            ["Push:CheckinWindow"] = "00:00:02",
            ["Push:ChunkSize"] = chunkSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Hosting:MinPollingInterval"] = "00:00:00.020",
            ["Hosting:MaxPollingInterval"] = "00:00:00.100",
            ["Logging:LogLevel:Default"] = "Warning",
        });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.AddPlatform();
        builder.Services.AddWorkflows();
        builder.Services.AddPushDelivery();
        builder.Services.AddSingleton<IPushTargets>(targets);
        var app = builder.Build();
        await app.StartAsync();
        return app;
    }

    static async Task<WorkflowProgress> WaitAsync(WorkflowEngine engine, WorkflowInfo workflow, Func<WorkflowProgress, bool> done, TimeSpan limit)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var progress = await engine.GetProgressAsync(workflow, default);
            if (done(progress)) return progress;
            if (deadline.Elapsed > limit) throw new TimeoutException("The workflow did not get there: " + string.Join(", ", progress.Counts));
            await Task.Delay(250); // polling costs storage requests too
        }
    }
}
