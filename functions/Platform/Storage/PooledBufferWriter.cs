using System.Buffers;
using System.Text;

namespace ManagedDistribution.Platform.Storage;

/// <summary>
/// A growable byte buffer on <see cref="ArrayPool{T}.Shared"/> arrays, for request bodies that are
/// built, sent and dropped (transactions of up to 4 MiB). Why not a StringBuilder turned into a
/// byte array: each body then cost a string and an array of its whole size, on the large object
/// heap beyond 85 KB, freshly zeroed and only reclaimed by full collections (a profile of a
/// campaign showed the app's background GC and page clearing at a quarter of its CPU). Dispose returns the array.
/// </summary>
public sealed class PooledBufferWriter(int initialCapacity = 4096) : IBufferWriter<byte>, IDisposable
{
    byte[] buffer = ArrayPool<byte>.Shared.Rent(initialCapacity);
    int written;

    public int WrittenCount => written;

    /// <summary>What was written; valid until <see cref="Dispose"/>.</summary>
    public ReadOnlyMemory<byte> WrittenMemory => buffer.AsMemory(0, written);

    public void Advance(int count) => written += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return buffer.AsMemory(written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return buffer.AsSpan(written);
    }

    /// <summary>Appends the text as UTF-8.</summary>
    public void Write(string text)
    {
        var span = GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        Advance(Encoding.UTF8.GetBytes(text, span));
    }

    void Ensure(int sizeHint)
    {
        sizeHint = Math.Max(sizeHint, 1);
        if (buffer.Length - written >= sizeHint) return;
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(buffer.Length * 2, written + sizeHint));
        buffer.AsSpan(0, written).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(buffer);
        buffer = bigger;
    }

    public void Dispose()
    {
        if (buffer.Length == 0) return;
        ArrayPool<byte>.Shared.Return(buffer);
        buffer = [];
        written = 0;
    }
}
