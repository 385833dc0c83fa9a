using System.Diagnostics;

namespace ManagedDistribution.Benchmarks;

/// <summary>Shared output format: one aligned line per figure, "name  value unit  note".</summary>
public static class Report
{
    public static void Line(string name, double value, string unit, string? note = null) =>
        Console.WriteLine($"{name,-52} {value,12:N0} {unit}{(note is null ? "" : "  " + note)}");

    /// <summary>Measures and prints one figure; a failed measurement prints why and the run goes on.</summary>
    public static async Task TryLineAsync(string name, Func<Task<double>> measure, string unit)
    {
        try { Line(name, await measure(), unit); }
        catch (Exception e) { Console.WriteLine($"{name,-52} {"failed",12} {e.GetType().Name}: {e.Message.Split('\n')[0]}"); }
    }

    /// <summary>
    /// Runs <paramref name="operation"/> <paramref name="total"/> times with <paramref name="concurrency"/>
    /// workers and returns operations per second. The index passed in is unique per call.
    /// </summary>
    public static async Task<double> RateAsync(int total, int concurrency, Func<int, Task> operation)
    {
        var next = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < total) await operation(i);
        }));
        return total / clock.Elapsed.TotalSeconds;
    }
}
