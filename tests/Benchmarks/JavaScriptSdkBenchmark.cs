using System.Diagnostics;
using ManagedDistribution.Tests.Infrastructure;

namespace ManagedDistribution.Benchmarks;

/// <summary>Runs js/storage-bench.mjs (the official @azure/data-tables and @azure/storage-queue SDKs) against the same account.</summary>
public static class JavaScriptSdkBenchmark
{
    public static async Task RunAsync(string connectionString, double scale)
    {
        var script = Path.Combine(RepositoryRoot.Path, "tests", "Benchmarks", "js", "storage-bench.mjs");
        var start = new ProcessStartInfo("node") { WorkingDirectory = RepositoryRoot.Path, RedirectStandardOutput = true };
        start.ArgumentList.Add(script);
        start.Environment["BENCH_STORAGE_CONNECTION"] = connectionString;
        start.Environment["BENCH_SCALE"] = scale.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var process = Process.Start(start)!;
        Console.WriteLine("same operations through the official JavaScript SDKs");
        while (await process.StandardOutput.ReadLineAsync() is { } line) Console.WriteLine(line);
        await process.WaitForExitAsync();
    }
}
