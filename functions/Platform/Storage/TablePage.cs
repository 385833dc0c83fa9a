namespace ManagedDistribution.Platform.Storage;

/// <summary>
/// Where the next page of a query starts: the service's <c>x-ms-continuation-NextPartitionKey</c> /
/// <c>NextRowKey</c> values, opaque (Azurite and Azure encode them differently; never parse them).
/// </summary>
public sealed record TableContinuationToken(string NextPartitionKey, string? NextRowKey);

/// <summary>
/// One page of query results. A page may hold fewer entities than asked for, even none, and still
/// have a <see cref="Continuation"/> (Azure cuts pages at 5 s or partition boundaries); only a
/// null continuation means the query is finished.
/// </summary>
public sealed record TablePage(IReadOnlyList<TableEntity> Entities, TableContinuationToken? Continuation);

/// <summary>How an update treats properties not in the entity: <see cref="Replace"/> drops them, <see cref="Merge"/> keeps them.</summary>
public enum TableUpdateMode
{
    Replace,
    Merge,
}
