namespace ManagedDistribution.Platform.Storage;

/// <summary>Value equality of two entities' custom properties (binary by content, NaN equal to NaN).</summary>
static class TableEntityComparer
{
    public static bool SameProperties(TableEntity a, TableEntity b)
    {
        if (a.Count != b.Count) return false;
        foreach (var (name, value) in a)
            if (!SameValue(value, b[name])) return false;
        return true;
    }

    static bool SameValue(object x, object? y) => (x, y) switch
    {
        (byte[] p, byte[] q) => p.AsSpan().SequenceEqual(q),
        (double p, double q) => p.Equals(q),
        (long p, int q) => p == q,
        (int p, long q) => p == q,
        _ => x.Equals(y),
    };
}
