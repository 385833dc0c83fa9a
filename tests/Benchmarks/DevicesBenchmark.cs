using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using ManagedDistribution.AppleEmulator;
using ManagedDistribution.AppleEmulator.Apns;
using ManagedDistribution.AppleEmulator.Certificates;
using ManagedDistribution.AppleEmulator.Devices;

namespace ManagedDistribution.Benchmarks;

/// <summary>
/// `devices`: MDM commands delivered end to end per second. The app runs as its own process on
/// Azurite; this process hosts the emulated APNs and the device simulator. N simulated Macs enrol
/// (Authenticate + TokenUpdate, in parallel), then all get one command through ONE bulk admin call
/// per 10,000 devices (<c>POST /api/devices/refresh</c> → ManagedApplicationList), whose one push
/// workflow pushes through the APNs client; each device connects, is sent the command,
/// acknowledges it, and the app stores the inventory. Timed from the bulk call until every command
/// is acknowledged. Options: <c>--devices 10000 --timeout 600 (s)</c>.
/// </summary>
public static class DevicesBenchmark
{
    const string AdminKey = "devices-benchmark-admin-key-0123456789";

    public static async Task<int> RunAsync(string[] args)
    {
        var count = BenchmarkOptions.Int(args, "--devices", 10_000);
        var timeout = TimeSpan.FromSeconds(BenchmarkOptions.Int(args, "--timeout", 600));

        await using var storage = await BenchmarkStorage.StartAsync();
        var ceilings = new StorageCeilings(storage);
        var batched = await ceilings.TableBatchedEntitiesPerSecondAsync(20_000, 8);
        var inserts = await ceilings.TableSingleInsertsPerSecondAsync(3000, 32);
        var readModifyWrites = await ceilings.TableConditionalReadModifyWritesPerSecondAsync(3000, 32);

        var folder = TestPkiFolder.LoadOrCreate(Path.Combine(Path.GetTempPath(), "md-devices-benchmark-certificates"));
        await using var apns = await ApnsEmulator.StartAsync(new EmulatorOptions { ApnsLogCapacity = 1000 }, folder.Pki);
        await using var app = await BenchmarkApp.StartAsync(new Dictionary<string, string>
        {
            ["AzureWebJobsStorage"] = storage.ConnectionString,
            ["Storage__Prefix"] = $"devbench{Environment.ProcessId % 10000}",
            ["Auth__AdminApiKeys__0"] = AdminKey,
            ["Apns__BaseUrl"] = apns.BaseUrl.AbsoluteUri,
            ["Apns__CertificatePath"] = folder.PushCertificatePath,
            ["Apns__CertificatePassword"] = TestPki.Password,
            ["Apns__TrustedCaPath"] = folder.LocalCaPemPath,
        });
        await using var simulator = new DeviceSimulator(new DeviceSimulatorOptions
        {
            ServerUrl = app.BaseUrl,
            MacUserChannels = false,
            MaxConcurrentConnections = 128,
            Seed = 1,
        }, apns.Registry, folder.Pki);

        var clock = Stopwatch.StartNew();
        var devices = await simulator.EnrolAsync(count, DeviceKind.Mac);
        var enrolSeconds = clock.Elapsed.TotalSeconds;
        var enrolled = devices.Where(d => d.Enrolled).ToArray();
        if (enrolled.Length < count) Console.Error.WriteLine($"{count - enrolled.Length} devices did not enrol, e.g. {devices.First(d => !d.Enrolled).LastError}");

        var (appCpu, ownCpu) = (app.ProcessorTime, Process.GetCurrentProcess().TotalProcessorTime);
        clock.Restart();
        var (queued, skipped) = await RefreshAllAsync(app.BaseUrl, enrolled);
        var queueSeconds = clock.Elapsed.TotalSeconds;
        var acknowledged = await WaitForAcknowledgementsAsync(simulator, queued, timeout);
        var seconds = clock.Elapsed.TotalSeconds;
        appCpu = app.ProcessorTime - appCpu;
        ownCpu = Process.GetCurrentProcess().TotalProcessorTime - ownCpu;

        Report.Line($"devices: enrolments/s ({enrolled.Length:N0} Macs, 2 check-ins each)", enrolled.Length / enrolSeconds, "dev/s",
            $"({enrolSeconds:N1} s)");
        Report.Line("devices: bulk refresh call (lookup + enqueue + push task)", queueSeconds, "s",
            $"({queued:N0} commands queued = {queued / queueSeconds:N0}/s, {skipped:N0} skipped)");
        Report.Line($"devices: commands delivered end to end/s ({count:N0} devices)", acknowledged / seconds, "cmd/s",
            $"({acknowledged:N0}/{queued:N0} acknowledged in {seconds:N1} s; {simulator.Counters.PushesReceived:N0} pushes, {simulator.Counters.Sessions:N0} sessions)");
        Report.Line("devices: app CPU per delivered command", appCpu.TotalMicroseconds / Math.Max(1, acknowledged), "µs",
            $"(simulator + APNs emulator: {ownCpu.TotalMicroseconds / Math.Max(1, acknowledged):N0} µs)");
        Report.Line("storage ceiling: table batched entities/s (100/txn, conc. 8)", batched, "ent/s", "(same run)");
        Report.Line("storage ceiling: table single inserts/s (conc. 32)", inserts, "ent/s", "(same run)");
        Report.Line("storage ceiling: conditional read-modify-writes/s (conc. 32)", readModifyWrites, "op/s", "(same run)");
        return acknowledged == count ? 0 : 1;
    }

    /// <summary>One <c>POST /api/devices/refresh</c> per 10,000 devices; returns commands queued and devices skipped.</summary>
    static async Task<(int Queued, int Skipped)> RefreshAllAsync(Uri baseUrl, IReadOnlyList<SimulatedDevice> devices)
    {
        using var http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromMinutes(10) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        var (queued, skipped) = (0, 0);
        foreach (var batch in devices.Chunk(10_000))
        {
            using var response = await http.PostAsJsonAsync("api/devices/refresh", new { deviceIds = batch.Select(d => d.Udid).ToArray() });
            var text = await response.Content.ReadAsStringAsync();
            if (response.StatusCode != HttpStatusCode.Accepted)
            {
                Console.Error.WriteLine($"bulk refresh refused: {(int)response.StatusCode} {text}");
                continue;
            }
            using var body = System.Text.Json.JsonDocument.Parse(text);
            queued += body.RootElement.GetProperty("commands").GetInt32();
            skipped += body.RootElement.GetProperty("skipped").GetArrayLength();
        }
        return (queued, skipped);
    }

    /// <summary>Waits until <paramref name="expected"/> acknowledgements, or no progress for 60 s, or the timeout.</summary>
    static async Task<long> WaitForAcknowledgementsAsync(DeviceSimulator simulator, int expected, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        var (last, lastProgress, lastReport) = (0L, TimeSpan.Zero, TimeSpan.Zero);
        while (true)
        {
            var acknowledged = simulator.Counters.Commands("Acknowledged", "ManagedApplicationList");
            if (acknowledged >= expected) return acknowledged;
            if (acknowledged != last) (last, lastProgress) = (acknowledged, clock.Elapsed);
            if (clock.Elapsed - lastReport >= TimeSpan.FromSeconds(2))
            {
                lastReport = clock.Elapsed;
                Console.Error.WriteLine($"  {clock.Elapsed.TotalSeconds,5:N1} s: {acknowledged:N0} acknowledged, {simulator.Counters.PushesReceived:N0} pushes received");
            }
            if (clock.Elapsed > timeout || clock.Elapsed - lastProgress > TimeSpan.FromSeconds(60))
            {
                Console.Error.WriteLine($"gave up waiting: {acknowledged:N0}/{expected:N0} acknowledged; simulator counters: {System.Text.Json.JsonSerializer.Serialize(simulator.Counters.Snapshot())}");
                return acknowledged;
            }
            await Task.Delay(20);
        }
    }
}
