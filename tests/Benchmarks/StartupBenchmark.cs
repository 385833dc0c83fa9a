using System.Diagnostics;
using System.Net.Sockets;
using ManagedDistribution.Tests.Infrastructure;

namespace ManagedDistribution.Benchmarks;

/// <summary>
/// `startup`: standalone start of the built app (Release) to its first 200 on /api/health,
/// against Azurite. DESIGN.md §5 target: ≤ 1 s. Median of several cold process starts.
/// </summary>
public static class StartupBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var runs = args.Length > 0 && int.TryParse(args[0], out var n) ? n : 5;
        var dll = Path.Combine(RepositoryRoot.Path, "artifacts", "bin", "Functions", "release", "ManagedDistribution.Functions.dll");
        if (!File.Exists(dll))
        {
            Console.Error.WriteLine($"Build the app first: dotnet build functions -c Release ({dll} is missing).");
            return 2;
        }

        await using var storage = await BenchmarkStorage.StartAsync();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var times = new List<double>();
        for (var i = 0; i < runs; i++) times.Add(await StartOnceAsync(dll, storage.ConnectionString, http));
        times.Sort();
        Report.Line("standalone start to first 200 on /api/health (median)", times[times.Count / 2], "ms", $"min {times[0]:N0} ms, max {times[^1]:N0} ms, {runs} runs; target ≤ 1,000 ms");
        return 0;
    }

    static async Task<double> StartOnceAsync(string dll, string connectionString, HttpClient http)
    {
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{port}");
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["AzureWebJobsStorage"] = connectionString;
        start.Environment["Storage__Prefix"] = "startup";
        start.Environment["Auth__AdminApiKeys__0"] = "startup-benchmark-key-0123456789";
        start.Environment["Logging__LogLevel__Default"] = "Warning";

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            while (clock.Elapsed < TimeSpan.FromSeconds(30))
            {
                try
                {
                    using var response = await http.GetAsync($"http://127.0.0.1:{port}/api/health");
                    if (response.IsSuccessStatusCode) return clock.Elapsed.TotalMilliseconds;
                }
                catch (HttpRequestException) { }
                await Task.Delay(5);
            }
            throw new TimeoutException("The app did not answer /api/health with 200 within 30 s.");
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
