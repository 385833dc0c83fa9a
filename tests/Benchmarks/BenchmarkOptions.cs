using System.Globalization;

namespace ManagedDistribution.Benchmarks;

/// <summary>The benchmarks' command-line options: <c>--name value</c> pairs after the benchmark's name.</summary>
public static class BenchmarkOptions
{
    /// <summary>The integer after <paramref name="name"/>, or <paramref name="fallback"/> when the option is absent.</summary>
    public static int Int(string[] args, string name, int fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    }

    /// <summary>The text after <paramref name="name"/>, or <paramref name="fallback"/> when the option is absent.</summary>
    public static string? Text(string[] args, string name, string? fallback = null)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : fallback;
    }
}
