using System.Buffers;
using System.Text;

namespace ManagedDistribution.Platform.Storage;

/// <summary>
/// A growable byte buffer on pooled arrays, for bodies that are built or read, used and dropped
/// (transactions of up to 4 MiB, query pages). Why: each such body was a new array of its whole
/// size (a transaction went StringBuilder → string → bytes; Azure.Core buffers a response in a
/// MemoryStream doubling its way up), on the large object heap beyond 85 KB, freshly zeroed and
/// only reclaimed by full collections: a profile of a campaign showed the app's background GC and
/// page clearing at a quarter of its CPU. Its own bounded pool, not <see cref="ArrayPool{T}.Shared"/>,
/// whose per-thread caches kept a set of megabyte arrays on every thread pool thread (the
/// reconciliation benchmark's working set grew by ~70 MB). Dispose returns the array.
/// </summary>
public sealed class PooledBufferWriter(int initialCapacity = 4096) : IBufferWriter<byte>, IDisposable
{
    /// <summary>Arrays up to 4 MiB (a transaction's limit) are pooled, a few of each size; bigger ones are allocated and dropped.</summary>
    static readonly ArrayPool<byte> Pool = ArrayPool<byte>.Create(maxArrayLength: 4 * 1024 * 1024, maxArraysPerBucket: 8);

    byte[] buffer = Pool.Rent(initialCapacity);
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

    /// <summary>Reads the stream to its end into a buffer of <paramref name="expectedLength"/> (Content-Length) if known.</summary>
    public static async Task<PooledBufferWriter> ReadAllAsync(Stream stream, long? expectedLength, CancellationToken cancellationToken)
    {
        var body = new PooledBufferWriter((int)Math.Clamp((expectedLength ?? 64 * 1024) + 1, 1024, 64 * 1024 * 1024));
        // With a known length one byte more than the body always remains (the read that ends it),
        // so the buffer never doubles just before its end.
        var hint = expectedLength is null ? 16 * 1024 : 1;
        try
        {
            while (true)
            {
                var read = await stream.ReadAsync(body.GetMemory(hint), cancellationToken);
                if (read == 0) return body;
                body.Advance(read);
            }
        }
        catch
        {
            body.Dispose();
            throw;
        }
    }

    void Ensure(int sizeHint)
    {
        sizeHint = Math.Max(sizeHint, 1);
        if (buffer.Length - written >= sizeHint) return;
        var bigger = Pool.Rent(Math.Max(buffer.Length * 2, written + sizeHint));
        buffer.AsSpan(0, written).CopyTo(bigger);
        Pool.Return(buffer);
        buffer = bigger;
    }

    public void Dispose()
    {
        if (buffer.Length == 0) return;
        Pool.Return(buffer);
        buffer = [];
        written = 0;
    }
}
