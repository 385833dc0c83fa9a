using System.Diagnostics;
using System.Text.RegularExpressions;

namespace ManagedDistribution.Tests.Infrastructure;

/// <summary>
/// An Azurite 3.35.0 process from the repository's node_modules, in memory, on free ports.
/// Tests that must see storage disappear (health 503) start their own; everything else shares
/// the assembly-wide <see cref="AzuriteFixture"/>.
/// </summary>
public sealed partial class AzuriteProcess : IAsyncDisposable
{
    readonly Process process;

    public string ConnectionString { get; }

    /// <summary>CPU time Azurite has used so far (benchmarks report storage cost per operation with it).</summary>
    public TimeSpan ProcessorTime
    {
        get
        {
            process.Refresh();
            return process.HasExited ? TimeSpan.Zero : process.TotalProcessorTime;
        }
    }

    AzuriteProcess(Process process, int blob, int queue, int table)
    {
        this.process = process;
        ConnectionString = ConnectionStringFor(blob, queue, table);
    }

    public static string ConnectionStringFor(int blob, int queue, int table) =>
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;" +
        $"AccountKey={ManagedDistribution.Platform.Storage.StorageAccount.DevelopmentAccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{blob}/devstoreaccount1;" +
        $"QueueEndpoint=http://127.0.0.1:{queue}/devstoreaccount1;" +
        $"TableEndpoint=http://127.0.0.1:{table}/devstoreaccount1;";

    public static async Task<AzuriteProcess> StartAsync(CancellationToken cancellationToken = default)
    {
        var script = Path.Combine(RepositoryRoot.Path, "node_modules", "azurite", "dist", "src", "azurite.js");
        if (!File.Exists(script))
            throw new InvalidOperationException($"Azurite is not installed at {script}: run scripts/test.sh (it runs npm ci).");

        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { script, "--inMemoryPersistence", "--disableTelemetry", "--silent", "--skipApiVersionCheck",
                     "--blobHost", "127.0.0.1", "--queueHost", "127.0.0.1", "--tableHost", "127.0.0.1",
                     "--blobPort", "0", "--queuePort", "0", "--tablePort", "0" })
            start.ArgumentList.Add(arg);
        // Diagnostics: MD_AZURITE_DEBUG_LOG=<file> keeps Azurite's debug log (every request, with its status).
        if (Environment.GetEnvironmentVariable("MD_AZURITE_DEBUG_LOG") is { Length: > 0 } debugLog)
        {
            start.ArgumentList.Add("--debug");
            start.ArgumentList.Add(debugLog);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start node for Azurite.");
        var ports = new Dictionary<string, int>();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (output) output.AppendLine(e.Data);
            var match = ListeningLine().Match(e.Data);
            if (!match.Success) return;
            lock (ports)
            {
                ports[match.Groups[1].Value] = int.Parse(match.Groups[2].Value);
                if (ports.Count == 3) ready.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        try
        {
            await ready.Task.WaitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"Azurite did not start within 30 s. Output:\n{output}");
        }
        return new AzuriteProcess(process, ports["Blob"], ports["Queue"], ports["Table"]);
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        process.Dispose();
    }

    [GeneratedRegex(@"Azurite (Blob|Queue|Table) service is successfully listening at https?://[^:]+:(\d+)")]
    private static partial Regex ListeningLine();
}
