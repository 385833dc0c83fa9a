using System.Text.Json;
using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Platform.Workflows;

/// <summary>
/// The per-chunk counter row: item counts per state, how many are still open, and which wave last
/// committed (and by which queue message). Updated only inside the transactions that change the
/// chunk's items, conditionally on its ETag, so counts never drift from the items and there is
/// no single hot counter row for the whole workflow: a task view sums the chunk rows.
/// </summary>
sealed class ChunkSummary
{
    public Dictionary<string, int> Counts { get; private init; } = new(StringComparer.Ordinal);
    public int Open { get; set; }
    /// <summary>The last wave committed; -1 before the first.</summary>
    public int Wave { get; set; } = -1;
    /// <summary>The queue message that committed <see cref="Wave"/>, to tell its own redelivery from a duplicate.</summary>
    public string? WaveMessageId { get; set; }
    /// <summary>When the next wave's timer message is due; kept so a redelivered message can re-arm it.</summary>
    public DateTimeOffset? NextWaveAt { get; set; }
    /// <summary>When the last committed wave began (it read what its processor reads after that): a wake sent for an earlier time is served.</summary>
    public DateTimeOffset? WaveStartedAt { get; set; }
    /// <summary>How many <see cref="ChunkManifest"/> rows hold items not written as rows yet (0: every item is a row).</summary>
    public int ManifestRows { get; set; }
    public ETag ETag { get; set; }

    public static ChunkSummary ForNewChunk(IEnumerable<WorkflowItem> items)
    {
        var summary = new ChunkSummary();
        foreach (var item in items) summary.Add(item, +1);
        return summary;
    }

    /// <summary>An independent copy (its own counts), to change without touching the summary as read.</summary>
    public ChunkSummary Copy() => new()
    {
        Counts = new Dictionary<string, int>(Counts, StringComparer.Ordinal),
        Open = Open, Wave = Wave, WaveMessageId = WaveMessageId, NextWaveAt = NextWaveAt, WaveStartedAt = WaveStartedAt,
        ManifestRows = ManifestRows, ETag = ETag,
    };

    /// <summary>Counts <paramref name="before"/> out and <paramref name="after"/> in.</summary>
    public void Apply(WorkflowItem before, WorkflowItem after)
    {
        Add(before, -1);
        Add(after, +1);
    }

    void Add(WorkflowItem item, int delta)
    {
        var count = Counts.GetValueOrDefault(item.State) + delta;
        if (count == 0) Counts.Remove(item.State);
        else Counts[item.State] = count;
        if (!item.Terminal) Open += delta;
    }

    public TableEntity ToEntity(string workflowId, int chunk, DateTimeOffset now) =>
        new(WorkflowRows.PartitionKeyFor(workflowId, chunk), WorkflowRows.SummaryRowKey)
        {
            ["Counts"] = JsonSerializer.Serialize(Counts),
            ["Open"] = Open,
            ["Wave"] = Wave,
            ["WaveMessageId"] = WaveMessageId,
            ["NextWaveAt"] = NextWaveAt,
            ["ManifestRows"] = ManifestRows,
            ["WaveStartedAt"] = WaveStartedAt,
            ["UpdatedAt"] = now,
        };

    public static ChunkSummary FromEntity(TableEntity e) => new()
    {
        Counts = new Dictionary<string, int>(WorkflowRows.ReadCounts(e.GetString("Counts") ?? "{}"), StringComparer.Ordinal),
        Open = e.GetInt32("Open") ?? 0,
        Wave = e.GetInt32("Wave") ?? -1,
        WaveMessageId = e.GetString("WaveMessageId"),
        NextWaveAt = e.GetDateTimeOffset("NextWaveAt"),
        ManifestRows = e.GetInt32("ManifestRows") ?? 0,
        WaveStartedAt = e.GetDateTimeOffset("WaveStartedAt"),
        ETag = e.ETag,
    };
}
