using System.Diagnostics;
using ManagedDistribution.AppleEmulator;
using ManagedDistribution.AppleEmulator.Apns;
using ManagedDistribution.AppleEmulator.Certificates;

namespace ManagedDistribution.Benchmarks;

/// <summary>The emulated APNs for a benchmark: in this process, or as <c>AppleEmulator --apns-only</c> in its own.</summary>
public sealed class BenchmarkEmulator(Uri baseUrl, Process? process, Func<ValueTask> stop) : IAsyncDisposable
{
    public Uri BaseUrl { get; } = baseUrl;

    /// <summary>CPU time the separate emulator process has used so far; zero when in-process.</summary>
    public TimeSpan ProcessorTime
    {
        get
        {
            if (process is null) return TimeSpan.Zero;
            process.Refresh();
            return process.TotalProcessorTime;
        }
    }

    public static async Task<BenchmarkEmulator> StartInProcessAsync(string certificateFolder, int streamsPerConnection)
    {
        var apns = await ApnsEmulator.StartAsync(new EmulatorOptions { ApnsLogCapacity = 1000, ApnsMaxStreamsPerConnection = streamsPerConnection }, TestPkiFolder.LoadOrCreate(certificateFolder).Pki);
        return new BenchmarkEmulator(apns.BaseUrl, null, apns.DisposeAsync);
    }

    /// <summary>Starts the emulator's own build output (copied next to ours) and waits for its ready line.</summary>
    public static async Task<BenchmarkEmulator> StartProcessAsync(string certificateFolder, int streamsPerConnection)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "AppleEmulator.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { dll, ApnsOnlyProgram.Flag, "--Emulator:CertificateFolder=" + certificateFolder, "--Emulator:ApnsLogCapacity=1000",
                "--Emulator:ApnsMaxStreamsPerConnection=" + streamsPerConnection },
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start " + dll);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            if (!line.StartsWith(ApnsOnlyProgram.ReadyLinePrefix, StringComparison.Ordinal)) continue;
            var url = new Uri(line[ApnsOnlyProgram.ReadyLinePrefix.Length..].Split(' ')[0]);
            return new BenchmarkEmulator(url, process, () =>
            {
                process.Kill(entireProcessTree: true);
                process.Dispose();
                return ValueTask.CompletedTask;
            });
        }
        process.Kill(entireProcessTree: true);
        throw new InvalidOperationException("The APNs emulator exited before it was ready.");
    }

    public ValueTask DisposeAsync() => stop();
}
