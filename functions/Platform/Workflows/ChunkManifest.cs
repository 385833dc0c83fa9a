using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Serialization;
using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Platform.Workflows;

/// <summary>
/// A chunk's items as they were started, written as a few rows (RK <c>!items0</c>, <c>!items1</c>, …)
/// in the chunk's partition instead of one row per item. The chunk's first commit writes every item
/// as its own row (inserted, changed or not) and deletes the manifest in its last transaction, so
/// each item is written once instead of inserted at the start and merged by its first wave, and a
/// start writes one transaction per chunk instead of five. Until then readers overlay the item rows
/// already written (a commit that died part-way) on the manifest.
/// </summary>
static class ChunkManifest
{
    /// <summary>Sorts after the summary row and before every item key (item keys start above '!').</summary>
    public const string RowKeyPrefix = "!items";
    /// <summary>The first row key after every manifest row.</summary>
    public const string RowKeyEnd = "!itemt";
    /// <summary>A binary property holds at most 64 KiB.</summary>
    const int PartBytes = 60_000;
    /// <summary>An entity holds at most 1 MiB: 14 parts of 60 KB.</summary>
    const int PartsPerRow = 14;
    /// <summary>
    /// The manifest and the summary go in one transaction, at most 4 MiB on the wire (binary is
    /// base64 there): at most this many compressed bytes, else the items are written as rows.
    /// </summary>
    const int MaxBytes = 2_500_000;
    /// <summary>The most rows a manifest can take (<see cref="MaxBytes"/> in parts of <see cref="PartBytes"/>, <see cref="PartsPerRow"/> a row).</summary>
    public const int MaxRows = (MaxBytes + PartBytes * PartsPerRow - 1) / (PartBytes * PartsPerRow);

    public static bool IsManifestRow(string rowKey) => rowKey.StartsWith(RowKeyPrefix, StringComparison.Ordinal);

    /// <summary>
    /// The manifest rows for these items (gzip-compressed JSON in binary parts: a campaign's
    /// recipient data is JSON itself, and escaped twice more on the wire it made a 500-recipient
    /// manifest ~300 KB for Azurite to parse), or null when they do not fit <see cref="MaxBytes"/>.
    /// </summary>
    public static List<TableEntity>? ToEntities(string partitionKey, IReadOnlyList<WorkflowItem> items)
    {
        var packed = new MemoryStream();
        using (var zip = new GZipStream(packed, CompressionLevel.Fastest, leaveOpen: true))
            JsonSerializer.Serialize(zip, items.Select(Entry.Of).ToList(), Json);
        if (packed.Length > MaxBytes) return null;
        var bytes = packed.GetBuffer().AsSpan(0, (int)packed.Length);
        var parts = (bytes.Length + PartBytes - 1) / PartBytes;
        var entities = new List<TableEntity>();
        for (var part = 0; part < parts; part++)
        {
            if (part % PartsPerRow == 0)
                entities.Add(new TableEntity(partitionKey, RowKeyPrefix + (part / PartsPerRow).ToString(CultureInfo.InvariantCulture)));
            var start = part * PartBytes;
            entities[^1][PartName(part % PartsPerRow)] = bytes.Slice(start, Math.Min(PartBytes, bytes.Length - start)).ToArray();
        }
        return entities;
    }

    /// <summary>The items of a chunk's manifest rows, as started (updated when the manifest was written).</summary>
    public static IEnumerable<WorkflowItem> Read(IReadOnlyList<TableEntity> rows, int chunk)
    {
        if (rows.Count == 0) return [];
        var packed = new MemoryStream();
        foreach (var row in rows.OrderBy(r => r.RowKey, StringComparer.Ordinal))
            for (var part = 0; row.GetBinary(PartName(part)) is { } bytes; part++)
                packed.Write(bytes);
        packed.Position = 0;
        using var zip = new GZipStream(packed, CompressionMode.Decompress);
        var entries = JsonSerializer.Deserialize<List<Entry>>(zip, Json) ?? [];
        var written = rows[0].Timestamp;
        return entries.Select(e => e.ToItem(chunk, written));
    }

    static string PartName(int part) => "P" + part.ToString("D2", CultureInfo.InvariantCulture);

    static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    /// <summary>Short names: a 500-recipient campaign chunk's manifest is mostly the kinds' own Data.</summary>
    sealed record Entry(
        [property: JsonPropertyName("k")] string Key,
        [property: JsonPropertyName("s")] string? State,
        [property: JsonPropertyName("x")] bool? Terminal,
        [property: JsonPropertyName("t")] string? Title,
        [property: JsonPropertyName("u")] string? Subtitle,
        [property: JsonPropertyName("d")] string? Data)
    {
        public static Entry Of(WorkflowItem i) => new(i.Key, i.State == WorkflowItemStates.Pending ? null : i.State, i.Terminal ? true : null,
            i.Title, i.Subtitle, i.Data);

        public WorkflowItem ToItem(int chunk, DateTimeOffset? written) =>
            new(Key, chunk, State ?? WorkflowItemStates.Pending, Terminal ?? false, 0, -1, null, written, Title, Subtitle, Data, null);
    }
}
