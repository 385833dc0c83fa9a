using System.Diagnostics;
using ManagedDistribution.AppleEmulator.Certificates;
using ManagedDistribution.Features.Devices.Push;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ManagedDistribution.Benchmarks;

/// <summary>
/// MDM pushes/s from one <see cref="ApnsClient"/> to the emulated APNs (HTTP/2, TLS, client
/// certificate). The emulator runs as a separate process by default so it does not share the
/// client's thread pool and GC (<c>--in-process</c> to compare).
/// Options: <c>--count 200000 --warmup 50000 --parallel 256 --streams 1000 (per connection, server side) --in-process</c>. Target: ≥ 10,000 pushes/s (DESIGN.md §5).
/// </summary>
public static class PushBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var count = BenchmarkOptions.Int(args, "--count", 200_000);
        var parallel = BenchmarkOptions.Int(args, "--parallel", 256);
        var streams = BenchmarkOptions.Int(args, "--streams", 1000);
        var inProcess = args.Contains("--in-process");
        var folder = Path.Combine(Path.GetTempPath(), "md-push-benchmark-certificates");

        await using var emulator = inProcess ? await BenchmarkEmulator.StartInProcessAsync(folder, streams) : await BenchmarkEmulator.StartProcessAsync(folder, streams);
        var certificates = TestPkiFolder.LoadOrCreate(folder);
        using var client = new ApnsClient(Options.Create(new ApnsOptions
        {
            BaseUrl = emulator.BaseUrl,
            CertificatePath = certificates.PushCertificatePath,
            CertificatePassword = TestPki.Password,
            TrustedCaPath = certificates.LocalCaPemPath,
        }), new ApnsHealth(), TimeProvider.System, NullLogger<ApnsClient>.Instance);

        var targets = Targets(certificates.Pki.PushTopic, distinctDevices: 10_000);
        await SendAsync(client, targets, BenchmarkOptions.Int(args, "--warmup", 50_000), parallel);

        var (clientCpu, emulatorCpu) = (Process.GetCurrentProcess().TotalProcessorTime, emulator.ProcessorTime);
        var stopwatch = Stopwatch.StartNew();
        var delivered = await SendAsync(client, targets, count, parallel);
        stopwatch.Stop();
        clientCpu = Process.GetCurrentProcess().TotalProcessorTime - clientCpu;
        emulatorCpu = emulator.ProcessorTime - emulatorCpu;

        var where = inProcess ? "in-process" : "separate process";
        Report.Line($"push: APNs pushes, {parallel} in flight", count / stopwatch.Elapsed.TotalSeconds, "pushes/s",
            $"({delivered:N0}/{count:N0} delivered in {stopwatch.Elapsed.TotalSeconds:N1} s, emulator {where}; target >= 10,000/s)");
        // The machine is often shared; CPU per push says what an idle machine would do.
        Report.Line("push: client CPU per push", clientCpu.TotalMicroseconds / count, "µs", inProcess ? "(client and emulator together)" : null);
        if (!inProcess) Report.Line("push: emulator CPU per push", emulatorCpu.TotalMicroseconds / count, "µs");
        Report.Line("push: CPU-bound ceiling", count / (clientCpu + emulatorCpu).TotalSeconds * Environment.ProcessorCount, "pushes/s",
            $"(if client + emulator had all {Environment.ProcessorCount} cores and scaled perfectly: an upper bound)");
        return delivered == count ? 0 : 1;
    }

    static async Task<int> SendAsync(ApnsClient client, PushTarget[] devices, int count, int parallel)
    {
        var batch = Enumerable.Range(0, count).Select(i => devices[i % devices.Length]).ToArray();
        var results = await client.SendManyAsync(batch, parallel);
        return results.Count(r => r is PushResult.Delivered);
    }

    static PushTarget[] Targets(string topic, int distinctDevices) =>
        Enumerable.Range(0, distinctDevices)
            .Select(_ => new PushTarget(Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()) + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()),
                topic, Guid.NewGuid().ToString("D").ToUpperInvariant()))
            .ToArray();
}
