namespace ManagedDistribution.Benchmarks;

/// <summary>Shared output format: one line per figure, "name: value unit (ceiling ...)".</summary>
public static class Report
{
    public static void Line(string name, double value, string unit, string? note = null) =>
        Console.WriteLine($"{name,-48} {value,12:N0} {unit}{(note is null ? "" : "  " + note)}");
}
