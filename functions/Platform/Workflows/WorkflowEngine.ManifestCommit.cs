using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Platform.Workflows;

public sealed partial class WorkflowEngine
{
    /// <summary>
    /// Commits a chunk whose items all still live in its <see cref="ChunkManifest"/> by rewriting
    /// the manifest: the summary (conditional on its ETag, with the wave marker), the new manifest
    /// rows and the deletion of rows it no longer needs, in ONE transaction. A wave is then a few
    /// entity writes instead of one row per item (Azurite walks the chunk's partition on every
    /// insert), and it lands whole or not at all. Null (nothing written) when the items have
    /// outgrown a manifest, or the service refused its size: the caller writes them as rows.
    /// </summary>
    async Task<ChunkSummary?> CommitToManifestAsync(string workflowId, int chunk, LoadedChunk loaded, IReadOnlyList<WorkflowItem> changes,
        (int Wave, (string? MessageId, DateTimeOffset? NextWaveAt, DateTimeOffset StartedAt)? Marker) wave, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var before = loaded.Items;
        var changed = changes.ToDictionary(c => c.Key, StringComparer.Ordinal);
        var after = before.Values.Select(i => changed.GetValueOrDefault(i.Key, i)).ToList();
        var partitionKey = WorkflowRows.PartitionKeyFor(workflowId, chunk);
        if (ChunkManifest.ToEntities(partitionKey, after) is not { } rows) return null;

        // A copy: the row path below starts from the summary as read if the service refuses this size.
        var summary = loaded.Summary.Copy();
        foreach (var change in changes) summary.Apply(before[change.Key], change);
        if (wave.Marker is { } marker)
            (summary.Wave, summary.WaveMessageId, summary.NextWaveAt, summary.WaveStartedAt) = (wave.Wave, marker.MessageId, marker.NextWaveAt, marker.StartedAt);
        else summary.NextWaveAt = null;
        summary.ManifestRows = rows.Count;

        var actions = new List<TableTransactionAction> { new(TableTransactionActionType.UpdateReplace, summary.ToEntity(workflowId, chunk, now), summary.ETag) };
        actions.AddRange(rows.Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, r)));
        var kept = rows.Select(r => r.RowKey).ToHashSet(StringComparer.Ordinal);
        actions.AddRange(loaded.ManifestRowKeys.Where(k => !kept.Contains(k))
            .Select(k => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(partitionKey, k))));
        IReadOnlyList<ETag> etags;
        try { etags = await Items(workflowId, chunk).SubmitTransactionAsync(actions, cancellationToken); }
        catch (StorageRequestFailedException e) when (e.Status is 400 or 413 && e.ErrorCode is "EntityTooLarge" or "RequestBodyTooLarge")
        {
            LogManifestRefused(workflowId, chunk, e.ErrorCode);
            return null;
        }
        summary.ETag = etags[0];

        foreach (var change in changes) before[change.Key] = change;
        loaded.ManifestRowKeys.Clear();
        loaded.ManifestRowKeys.AddRange(kept.Order(StringComparer.Ordinal));
        return summary;
    }

    [LoggerMessage(LogLevel.Warning, "Workflow {WorkflowId} chunk {Chunk}: the storage service refused its manifest ({ErrorCode}); its items are written as rows")]
    partial void LogManifestRefused(string workflowId, int chunk, string? errorCode);
}
