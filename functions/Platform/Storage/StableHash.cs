using System.Text;

namespace ManagedDistribution.Platform.Storage;

/// <summary>
/// A hash that never changes between processes, versions or machines (unlike
/// <see cref="string.GetHashCode()"/>): 32-bit FNV-1a over the UTF-8 bytes. Rows are placed in
/// bucket partitions and shard tables by it, so changing it would lose stored rows.
/// </summary>
public static class StableHash
{
    /// <summary>FNV-1a, 32 bits, of the UTF-8 bytes of <paramref name="text"/>.</summary>
    public static uint Fnv1a(string text)
    {
        // Keys are short: hash them from the stack, without an allocation per row.
        var bytes = text.Length <= 256 ? stackalloc byte[Encoding.UTF8.GetMaxByteCount(text.Length)] : Encoding.UTF8.GetBytes(text);
        var hash = 2166136261u;
        foreach (var b in bytes[..Encoding.UTF8.GetBytes(text, bytes)]) hash = unchecked((hash ^ b) * 16777619u);
        return hash;
    }

    /// <summary>The bucket of <paramref name="text"/> among <paramref name="buckets"/> (0 … buckets − 1).</summary>
    public static int Bucket(string text, int buckets) => (int)(Fnv1a(text) % (uint)buckets);
}
