using System.Globalization;
using System.Text;
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
    /// <summary>A string property holds at most 64 KiB (32 K UTF-16 characters).</summary>
    const int PartChars = 30_000;
    /// <summary>An entity holds at most 1 MiB: 14 parts of 60 KB.</summary>
    const int PartsPerRow = 14;
    /// <summary>The manifest and the summary go in one transaction (≤ 4 MiB): at most this many rows, else items are rows.</summary>
    public const int MaxRows = 4;

    public static bool IsManifestRow(string rowKey) => rowKey.StartsWith(RowKeyPrefix, StringComparison.Ordinal);

    /// <summary>The manifest rows for these items, or null when they do not fit <see cref="MaxRows"/>.</summary>
    public static List<TableEntity>? ToEntities(string partitionKey, IReadOnlyList<WorkflowItem> items)
    {
        var json = JsonSerializer.Serialize(items.Select(Entry.Of).ToList(), Json);
        var parts = (json.Length + PartChars - 1) / PartChars;
        var rows = (parts + PartsPerRow - 1) / PartsPerRow;
        if (rows > MaxRows) return null;
        var entities = new List<TableEntity>(rows);
        for (var row = 0; row < rows; row++)
        {
            var entity = new TableEntity(partitionKey, RowKeyPrefix + row.ToString(CultureInfo.InvariantCulture));
            for (var part = 0; part < PartsPerRow; part++)
            {
                var start = (row * PartsPerRow + part) * PartChars;
                if (start >= json.Length) break;
                entity["P" + part.ToString("D2", CultureInfo.InvariantCulture)] = json.Substring(start, Math.Min(PartChars, json.Length - start));
            }
            entities.Add(entity);
        }
        return entities;
    }

    /// <summary>The items of a chunk's manifest rows, as started (updated when the manifest was written).</summary>
    public static IEnumerable<WorkflowItem> Read(IReadOnlyList<TableEntity> rows, int chunk)
    {
        var json = new StringBuilder();
        foreach (var row in rows.OrderBy(r => r.RowKey, StringComparer.Ordinal))
            for (var part = 0; row.GetString("P" + part.ToString("D2", CultureInfo.InvariantCulture)) is { } text; part++)
                json.Append(text);
        if (json.Length == 0) return [];
        var written = rows[0].Timestamp;
        var entries = JsonSerializer.Deserialize<List<Entry>>(json.ToString(), Json) ?? [];
        return entries.Select(e => e.ToItem(chunk, written));
    }

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
