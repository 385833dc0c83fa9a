using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Serialization;
using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Platform.Workflows;

/// <summary>
/// A chunk's items, written as a few rows (RK <c>!items0</c>, <c>!items1</c>, …) in the chunk's
/// partition instead of one row per item. A start writes one transaction per chunk; every commit
/// rewrites the manifest in one transaction (<c>WorkflowEngine.CommitToManifestAsync</c>), so an
/// item is never a row of its own while the manifest holds it. When the items outgrow a manifest,
/// that commit writes each as its own row (inserted, changed or not) and deletes the manifest in
/// its last transaction; readers overlay item rows on a manifest (a commit that died part-way).
/// </summary>
static class ChunkManifest
{
    /// <summary>Sorts after the summary row and before every item key (item keys start above '!').</summary>
    public const string RowKeyPrefix = "!items";
    /// <summary>The first row key after every manifest row.</summary>
    public const string RowKeyEnd = "!itemt";
    /// <summary>A binary property holds at most 64 KiB.</summary>
    const int PartBytes = 60_000;
    /// <summary>
    /// An entity holds at most 1 MiB. Azure counts a binary property's bytes, Azurite the entity as
    /// sent, base64: 14 parts (840 KB, 1.12 MB as base64) were refused there with 400 EntityTooLarge
    /// when a wave replaced the row. 10 parts are 800 KB as base64.
    /// </summary>
    const int PartsPerRow = 10;
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

    /// <summary>The items of a chunk's manifest rows (<c>UpdatedAt</c> the rows' timestamp unless the item has its own).</summary>
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

    /// <summary>Short names, defaults left out: a 500-recipient campaign chunk's manifest is mostly the kinds' own Data.</summary>
    sealed record Entry(
        [property: JsonPropertyName("k")] string Key,
        [property: JsonPropertyName("s")] string? State,
        [property: JsonPropertyName("x")] bool? Terminal,
        [property: JsonPropertyName("t")] string? Title,
        [property: JsonPropertyName("u")] string? Subtitle,
        [property: JsonPropertyName("d")] string? Data,
        [property: JsonPropertyName("a")] int? Attempts = null,
        [property: JsonPropertyName("w")] int? Wave = null,
        [property: JsonPropertyName("l")] DateTimeOffset? LastAttemptAt = null,
        [property: JsonPropertyName("m")] DateTimeOffset? UpdatedAt = null,
        [property: JsonPropertyName("e")] string? Error = null)
    {
        public static Entry Of(WorkflowItem i) => new(i.Key, i.State == WorkflowItemStates.Pending ? null : i.State, i.Terminal ? true : null,
            i.Title, i.Subtitle, i.Data, i.Attempts == 0 ? null : i.Attempts, i.Wave < 0 ? null : i.Wave, i.LastAttemptAt, i.UpdatedAt, i.Error);

        public WorkflowItem ToItem(int chunk, DateTimeOffset? written) =>
            new(Key, chunk, State ?? WorkflowItemStates.Pending, Terminal ?? false, Attempts ?? 0, Wave ?? -1, LastAttemptAt, UpdatedAt ?? written,
                Title, Subtitle, Data, Error);
    }
}
