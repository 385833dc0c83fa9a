using System.Globalization;

namespace ManagedDistribution.Benchmarks;

/// <summary>
/// The assign-group phase timings: the app logs one <c>name=ms</c> line per licensing batch
/// ("Group licensing phases:") and per large serve ("timings:"); this keeps the app's console output
/// in a file (MD_BENCH_APP_LOG, unless one was given) and sums the phases over the batches.
/// </summary>
static class PhaseLog
{
    public static string Attach()
    {
        if (Environment.GetEnvironmentVariable("MD_BENCH_APP_LOG") is { Length: > 0 } given) return given;
        var file = Path.Combine(Path.GetTempPath(), $"assign-group-{Environment.ProcessId}.log");
        File.Delete(file);
        Environment.SetEnvironmentVariable("MD_BENCH_APP_LOG", file);
        return file;
    }

    /// <summary>The message of a console log line: plain text, or the <c>Message</c> of the JSON formatter's line (Production).</summary>
    static string MessageOf(string line)
    {
        if (!line.StartsWith('{')) return line;
        try { return System.Text.Json.JsonDocument.Parse(line).RootElement.GetProperty("Message").GetString() ?? ""; }
        catch (System.Text.Json.JsonException) { return ""; }
    }

    /// <param name="workflowSeconds">Wall time of the batches (after the POST answered), to show how many ran at once.</param>
    public static void Print(string file, double workflowSeconds)
    {
        if (!File.Exists(file)) return;
        var sums = new Dictionary<string, long>(StringComparer.Ordinal);
        var order = new List<string>();
        var batches = 0;
        var max = 0L;
        foreach (var line in File.ReadLines(file))
        {
            if (!line.Contains("Group licensing phases:", StringComparison.Ordinal)) continue;
            batches++;
            foreach (var pair in MessageOf(line).Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = pair.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0 || !long.TryParse(pair.AsSpan(eq + 1), NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms)) continue;
                var name = pair[..eq];
                if (name is "batches" or "devices") continue;
                if (!sums.ContainsKey(name)) order.Add(name);
                sums[name] = sums.GetValueOrDefault(name) + ms;
                if (name == "total") max = Math.Max(max, ms);
            }
        }
        if (batches == 0) return;
        foreach (var name in order)
            Report.Line($"  chunk phase {name} (mean of {batches} chunks)", sums[name] / (double)batches, "ms",
                $"sum {sums[name] / 1000.0:F1} s");
        Report.Line("  chunks in flight ×10 (sum of chunk totals / workflow wall time)", 10 * sums.GetValueOrDefault("total") / 1000.0 / Math.Max(0.001, workflowSeconds), "",
            $"slowest chunk {max} ms");
    }
}
