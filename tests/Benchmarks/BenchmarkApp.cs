using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;

namespace ManagedDistribution.Benchmarks;

/// <summary>
/// The app as its own process (its build output is copied next to ours), on Kestrel at a free
/// port, so it has its own thread pool and GC like in production. Started with the given settings
/// (environment variables, <c>Section__Key</c>); ready once /api/health answers.
/// </summary>
public sealed class BenchmarkApp : IAsyncDisposable
{
    readonly Process process;

    BenchmarkApp(Process process, Uri baseUrl)
    {
        this.process = process;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    /// <summary>A client of the admin API, authenticated with one of the keys the app was started with.</summary>
    public HttpClient AdminClient(string adminKey)
    {
        var http = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromMinutes(5) };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", adminKey);
        return http;
    }

    /// <summary>The app process's peak working set (peak RSS on Linux), in bytes.</summary>
    public long PeakWorkingSet
    {
        get
        {
            process.Refresh();
            return process.PeakWorkingSet64;
        }
    }

    public TimeSpan ProcessorTime
    {
        get
        {
            process.Refresh();
            return process.TotalProcessorTime;
        }
    }

    /// <summary>
    /// Settings of an app that talks to the in-process Apps and Books emulator at <paramref name="emulatorRoot"/>
    /// (short event polls, quick queue polling) on the benchmark's storage; callers add their own.
    /// </summary>
    public static Dictionary<string, string> WithAppsAndBooksEmulator(string storageConnection, string prefix, string adminKey, string emulatorRoot) => new()
    {
        ["AzureWebJobsStorage"] = storageConnection,
        ["Storage__Prefix"] = prefix,
        ["Auth__AdminApiKeys__0"] = adminKey,
        ["AppleAppsAndBooks__BaseUrl"] = emulatorRoot + "/mdm/v2/",
        ["AppleAppsAndBooks__InitialEventPollDelay"] = "00:00:00.050",
        ["AppleAppsAndBooks__MaxEventPollDelay"] = "00:00:00.500",
        ["LocationTokens__EncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        ["Hosting__MinPollingInterval"] = "00:00:00.020",
        ["Hosting__MaxPollingInterval"] = "00:00:00.100",
    };

    /// <summary>Polls <c>GET /api/tasks/{id}?pageSize=0</c> until the task is no longer starting or running; its last view, or null after <paramref name="timeout"/>.</summary>
    public static async Task<JsonElement?> WaitForTaskAsync(HttpClient http, string taskId, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            var task = (await http.GetFromJsonAsync<JsonElement>($"api/tasks/{taskId}?pageSize=0")).GetProperty("task");
            if (task.GetProperty("state").GetString() is not ("starting" or "running")) return task;
            await Task.Delay(100);
        }
        return null;
    }

    /// <summary>DOTNET_GCgen0size as in the deployment's app settings (64 MB; "0" runs with the runtime's default).</summary>
    const string DeployedGen0Size = "0x4000000";

    public static async Task<BenchmarkApp> StartAsync(IReadOnlyDictionary<string, string> settings)
    {
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "ManagedDistribution.Functions.dll"), "--urls", $"http://127.0.0.1:{port}" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        // The runtime's gen0 budget as deployed (infra/modules/functionapp.bicep); an outer DOTNET_GCgen0size wins (A/B runs).
        start.Environment["DOTNET_GCgen0size"] = Environment.GetEnvironmentVariable("DOTNET_GCgen0size") ?? DeployedGen0Size;
        foreach (var (key, value) in settings) start.Environment[key] = value;
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the app.");
        var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) => { if (e.Data is { } line && line.Contains("fail", StringComparison.Ordinal)) errors.Enqueue(line); };
        // MD_BENCH_APP_LOG=<file>: keep the app's whole console output (raise levels with Logging__LogLevel__<Category>).
        if (Environment.GetEnvironmentVariable("MD_BENCH_APP_LOG") is { Length: > 0 } logFile)
        {
            var log = TextWriter.Synchronized(new StreamWriter(logFile, append: true) { AutoFlush = true });
            process.OutputDataReceived += (_, e) => { if (e.Data is { } line) log.WriteLine(line); };
        }
        process.ErrorDataReceived += (_, e) => { if (e.Data is { } line) errors.Enqueue(line); };
        process.OutputDataReceived += (_, e) => { if (e.Data is { } line && line.Contains(" timings: ", StringComparison.Ordinal)) Console.WriteLine("app:" + line); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var app = new BenchmarkApp(process, new Uri($"http://127.0.0.1:{port}/"));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60) && !process.HasExited)
        {
            try
            {
                using var response = await http.GetAsync(new Uri(app.BaseUrl, "api/health"));
                return app;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { await Task.Delay(50); }
        }
        await app.DisposeAsync();
        throw new InvalidOperationException("The app did not answer /api/health: " + string.Join(Environment.NewLine, errors));
    }

    static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        process.Dispose();
    }
}
