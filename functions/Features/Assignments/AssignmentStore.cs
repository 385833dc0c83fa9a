using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Assignments;

/// <summary>
/// The <c>assignments</c> table: PK = <c>{kind}|{targetId}</c>, RK = content id, so a target's
/// assignments are one partition. Reverse index <c>contentassignments</c>: PK = content id,
/// RK = <c>{kind}|{targetId}</c> (who has this content). See Licenses/README.md.
/// </summary>
public sealed class AssignmentStore(TableServiceClient service)
{
    public const string TableName = "assignments";
    public const string ByContentTableName = "contentassignments";

    readonly TableOnFirstUse assignments = new(service, TableName);
    readonly TableOnFirstUse byContent = new(service, ByContentTableName);

    public static string PartitionFor(string kind, string targetId) => $"{kind}|{targetId}";

    /// <summary>The target a <c>contentassignments</c> row names (its RowKey is <see cref="PartitionFor"/>).</summary>
    public static (string Kind, string TargetId) TargetOf(TableEntity indexRow)
    {
        var bar = indexRow.RowKey.IndexOf('|', StringComparison.Ordinal);
        return (indexRow.RowKey[..bar], indexRow.RowKey[(bar + 1)..]);
    }

    /// <summary>Owner string in the ledger and the stem of its idempotency keys.</summary>
    public static string AssignmentId(string kind, string targetId, string contentId) => $"{kind}:{targetId}:{contentId}";

    public async Task<TableEntity?> GetAsync(string kind, string targetId, string contentId, CancellationToken cancellationToken)
    {
        var table = await assignments.GetAsync(cancellationToken);
        return await table.GetEntityAsync(PartitionFor(kind, targetId), contentId, cancellationToken: cancellationToken);
    }

    public async Task<IReadOnlyList<TableEntity>> ListAsync(string kind, string targetId, CancellationToken cancellationToken)
    {
        var table = await assignments.GetAsync(cancellationToken);
        var rows = new List<TableEntity>();
        await foreach (var row in table.QueryAsync(TableFilter.PartitionKey.Eq(PartitionFor(kind, targetId)), cancellationToken: cancellationToken))
            rows.Add(row);
        return rows;
    }

    /// <summary>Writes the assignment, then its reverse-index row (a projection; rewritten on every save).</summary>
    public async Task SaveAsync(TableEntity row, CancellationToken cancellationToken)
    {
        var table = await assignments.GetAsync(cancellationToken);
        await table.UpsertEntityAsync(row, cancellationToken: cancellationToken);
        var index = await byContent.GetAsync(cancellationToken);
        await index.UpsertEntityAsync(new TableEntity(row.RowKey, row.PartitionKey)
        {
            ["State"] = row.GetString("State"),
            ["UpdatedAt"] = row.GetDateTimeOffset("UpdatedAt"),
        }, cancellationToken: cancellationToken);
    }

    /// <summary>Who has this content: the reverse index rows (RowKey <c>{kind}|{targetId}</c>, <c>State</c>), one partition.</summary>
    public async Task<IReadOnlyList<TableEntity>> ByContentAsync(string contentId, CancellationToken cancellationToken)
    {
        var index = await byContent.GetAsync(cancellationToken);
        var rows = new List<TableEntity>();
        await foreach (var row in index.QueryAsync(TableFilter.PartitionKey.Eq(contentId), cancellationToken: cancellationToken)) rows.Add(row);
        return rows;
    }

    /// <summary>Deletes the assignment and its index row; false when there was none.</summary>
    public async Task<bool> DeleteAsync(string kind, string targetId, string contentId, CancellationToken cancellationToken)
    {
        var table = await assignments.GetAsync(cancellationToken);
        var deleted = await table.DeleteEntityAsync(PartitionFor(kind, targetId), contentId, ETag.All, cancellationToken);
        var index = await byContent.GetAsync(cancellationToken);
        await index.DeleteEntityAsync(contentId, PartitionFor(kind, targetId), ETag.All, cancellationToken);
        return deleted;
    }

    public static AssignmentDto ToDto(TableEntity e) => new(
        e.GetString("AssignmentId") ?? "", e.GetString("TargetKind") ?? "", e.GetString("TargetId") ?? "", e.RowKey,
        e.GetString("InstallMode") ?? InstallModes.Automatic, e.GetString("State") ?? AssignmentStates.Pending, e.GetString("Reason"),
        e.GetBoolean("LicenseConsumed") ?? false, e.GetString("CommandUuid"), e.GetString("Note"),
        e.GetDateTimeOffset("CreatedAt") ?? DateTimeOffset.MinValue, e.GetDateTimeOffset("UpdatedAt") ?? DateTimeOffset.MinValue);
}
