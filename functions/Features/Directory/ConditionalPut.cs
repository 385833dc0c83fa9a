using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Directory;

/// <summary>
/// Create-or-replace of one row with HTTP precondition semantics and optimistic concurrency:
/// read, decide, write conditionally on what was read, and start over when someone else wrote in
/// between (a bounded number of times).
/// </summary>
static class ConditionalPut
{
    const int Attempts = 5;

    /// <param name="build">The row to write given the stored one (null when absent).</param>
    /// <param name="unchanged">Whether the stored row already says what the caller asks for.</param>
    /// <param name="ifMatch">HTTP If-Match (<see cref="ETag.All"/> for "*"): the stored version must match.</param>
    /// <param name="createOnly">HTTP If-None-Match: "*": the row must not exist.</param>
    public static async Task<WriteResult> RunAsync(TableClient table, string partitionKey, string rowKey,
        Func<TableEntity?, TableEntity> build, Func<TableEntity, bool> unchanged, ETag? ifMatch, bool createOnly,
        CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            var existing = await table.GetEntityAsync(partitionKey, rowKey, cancellationToken: cancellationToken);
            if (createOnly && existing is not null) return new(WriteOutcome.PreconditionFailed);
            if (ifMatch is { } m && (existing is null || (m != ETag.All && m != existing.ETag))) return new(WriteOutcome.PreconditionFailed);
            if (existing is not null && unchanged(existing)) return new(WriteOutcome.Unchanged, existing);

            var entity = build(existing);
            try
            {
                if (existing is null)
                {
                    entity.ETag = await table.AddEntityAsync(entity, cancellationToken);
                    return new(WriteOutcome.Created, entity);
                }
                entity.ETag = await table.UpdateEntityAsync(entity, existing.ETag, cancellationToken: cancellationToken);
                return new(WriteOutcome.Updated, entity);
            }
            catch (StorageRequestFailedException e) when (e.IsConflict || e.IsPreconditionFailed || e.IsNotFound)
            {
                // Someone else wrote in between. With a specific If-Match that can only end in 412.
                if (ifMatch is { } specific && specific != ETag.All) return new(WriteOutcome.PreconditionFailed);
            }
        }
        return new(WriteOutcome.Contended);
    }
}
