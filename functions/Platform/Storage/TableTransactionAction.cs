namespace ManagedDistribution.Platform.Storage;

/// <summary>What one operation of an entity group transaction does (same names as Azure.Data.Tables).</summary>
public enum TableTransactionActionType
{
    /// <summary>Insert; fails the batch if the entity exists.</summary>
    Add,
    /// <summary>Merge into an existing entity, with <c>If-Match</c> (empty ETag: <c>*</c>).</summary>
    UpdateMerge,
    /// <summary>Replace an existing entity, with <c>If-Match</c> (empty ETag: <c>*</c>).</summary>
    UpdateReplace,
    /// <summary>Delete an existing entity, with <c>If-Match</c> (empty ETag: <c>*</c>).</summary>
    Delete,
    /// <summary>Insert-or-merge, unconditional.</summary>
    UpsertMerge,
    /// <summary>Insert-or-replace, unconditional.</summary>
    UpsertReplace,
}

/// <summary>
/// One operation of <see cref="TableClient.SubmitTransactionAsync"/>. For <see cref="TableTransactionActionType.Delete"/>
/// only the entity's keys matter. <paramref name="IfMatch"/> applies to updates and deletes.
/// </summary>
public sealed record TableTransactionAction(TableTransactionActionType ActionType, TableEntity Entity, ETag IfMatch = default);

/// <summary>
/// An entity group transaction was rejected and nothing in it was applied. <see cref="FailedIndex"/>
/// is the 0-based position of the operation the service blamed (from its <c>"index:message"</c>
/// error), null if it did not say. <see cref="StorageRequestFailedException.Status"/> and
/// <see cref="StorageRequestFailedException.ErrorCode"/> are that operation's, e.g. 409 EntityAlreadyExists.
/// </summary>
public sealed class TableTransactionFailedException(int status, string? errorCode, int? failedIndex, string message)
    : StorageRequestFailedException(status, errorCode, message)
{
    public int? FailedIndex { get; } = failedIndex;
}
