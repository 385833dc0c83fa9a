using System.Globalization;
using System.Text.Json;
using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Platform.Workflows;

/// <summary>
/// Table layout of workflows: <c>workflows</c> (PK <c>workflow</c>, RK = id) and
/// <c>workflowitems{NN}</c> (PK <c>{id}:{chunk:D6}</c>, RK = item key, plus one chunk summary row
/// with RK <see cref="SummaryRowKey"/> in the same partition so item changes and the chunk's
/// counters commit in one transaction). A chunk partition lives in one of
/// <see cref="ItemTableCount"/> tables chosen by the hash of its partition key: Azurite walks a
/// whole table for every query and renumbers a whole table's indices for every update, so a
/// 100,000-item campaign spread over 16 tables costs each chunk's reads and commits a sixteenth.
/// On Azure it changes nothing (partitions are indexed either way).
/// </summary>
static class WorkflowRows
{
    public const string WorkflowsTable = "workflows";
    public const string ItemsTablePrefix = "workflowitems";
    public const int ItemTableCount = 16;
    public const string WorkflowPartition = "workflow";
    /// <summary>Sorts before every item key; item keys must not start with '!'.</summary>
    public const string SummaryRowKey = "!chunk";

    public static string PartitionKeyFor(string workflowId, int chunk) =>
        workflowId + ":" + chunk.ToString("D6", CultureInfo.InvariantCulture);

    /// <summary>Which items table holds the chunk (0 … <see cref="ItemTableCount"/> − 1). Never change it: stored rows depend on it.</summary>
    public static int ItemTableOf(string workflowId, int chunk) => StableHash.Bucket(PartitionKeyFor(workflowId, chunk), ItemTableCount);

    public static string ItemsTableName(int table) => ItemsTablePrefix + table.ToString("D2", CultureInfo.InvariantCulture);

    public static TableEntity ToEntity(WorkflowInfo w)
    {
        var entity = new TableEntity(WorkflowPartition, w.Id)
        {
            ["Kind"] = w.Kind,
            ["State"] = w.State,
            ["QueueName"] = w.QueueName,
            ["ItemCount"] = w.ItemCount,
            ["ChunkCount"] = w.ChunkCount,
            ["CancelRequested"] = w.CancelRequested,
            ["CreatedAt"] = w.CreatedAt,
            ["Reason"] = w.Reason,
            ["IdempotencyKey"] = w.IdempotencyKey,
            ["StartedAt"] = w.StartedAt,
            ["CompletedAt"] = w.CompletedAt,
            ["Error"] = w.Error,
            ["Counts"] = w.FinalCounts is null ? null : JsonSerializer.Serialize(w.FinalCounts),
        };
        return entity;
    }

    public static WorkflowInfo ToWorkflow(TableEntity e) => new(
        e.RowKey,
        e.GetString("Kind") ?? "",
        e.GetString("State") ?? WorkflowStates.Running,
        e.GetString("Reason"),
        e.GetString("IdempotencyKey"),
        e.GetString("QueueName") ?? "",
        e.GetInt32("ItemCount") ?? 0,
        e.GetInt32("ChunkCount") ?? 0,
        e.GetBoolean("CancelRequested") ?? false,
        e.GetDateTimeOffset("CreatedAt") ?? e.Timestamp ?? DateTimeOffset.MinValue,
        e.GetDateTimeOffset("StartedAt"),
        e.GetDateTimeOffset("CompletedAt"),
        e.GetString("Error"),
        e.GetString("Counts") is { } counts ? ReadCounts(counts) : null)
    { ETag = e.ETag };

    public static TableEntity ToEntity(string workflowId, WorkflowItem i) => new(PartitionKeyFor(workflowId, i.Chunk), i.Key)
    {
        ["State"] = i.State,
        ["Terminal"] = i.Terminal,
        ["Attempts"] = i.Attempts,
        ["Wave"] = i.Wave,
        ["LastAttemptAt"] = i.LastAttemptAt,
        ["UpdatedAt"] = i.UpdatedAt,
        ["Title"] = i.Title,
        ["Subtitle"] = i.Subtitle,
        ["Data"] = i.Data,
        ["Error"] = i.Error,
    };

    /// <summary>
    /// An item row for a merge that leaves nothing stale behind: text columns the item cleared are
    /// written empty (read back as null), so the merge ends where a replace would. Merge because
    /// Azurite updates a merged row in place, while a replace re-numbers the whole table's
    /// indices (`write-kinds` benchmark). <c>LastAttemptAt</c> never goes back to null.
    /// </summary>
    public static TableEntity ToMergeEntity(string workflowId, WorkflowItem i)
    {
        var entity = ToEntity(workflowId, i);
        foreach (var column in ClearableColumns) entity[column] ??= "";
        return entity;
    }

    static readonly string[] ClearableColumns = ["Title", "Subtitle", "Data", "Error"];

    public static WorkflowItem ToItem(TableEntity e) => new(
        e.RowKey,
        ChunkOf(e.PartitionKey),
        e.GetString("State") ?? WorkflowItemStates.Pending,
        e.GetBoolean("Terminal") ?? false,
        e.GetInt32("Attempts") ?? 0,
        e.GetInt32("Wave") ?? -1,
        e.GetDateTimeOffset("LastAttemptAt"),
        e.GetDateTimeOffset("UpdatedAt"),
        NullIfEmpty(e.GetString("Title")),
        NullIfEmpty(e.GetString("Subtitle")),
        NullIfEmpty(e.GetString("Data")),
        NullIfEmpty(e.GetString("Error")));

    static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;

    static int ChunkOf(string partitionKey) =>
        int.Parse(partitionKey.AsSpan(partitionKey.LastIndexOf(':') + 1), CultureInfo.InvariantCulture);

    public static Dictionary<string, int> ReadCounts(string json) =>
        JsonSerializer.Deserialize<Dictionary<string, int>>(json) ?? [];

    /// <summary>
    /// RowKeys may not hold these (Table service rule); keys starting with '!' (or a space, which
    /// sorts before it) are reserved for the summary and manifest rows, which must sort first.
    /// </summary>
    public static bool IsValidItemKey(string key) =>
        key.Length is > 0 and <= 512 && key[0] > '!' && key.IndexOfAny(['/', '\\', '#', '?']) < 0 && !key.Any(char.IsControl);
}
