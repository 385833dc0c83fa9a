using System.Collections.Concurrent;
using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Directory;

/// <summary>What a conditional write of one row came to.</summary>
public enum WriteOutcome
{
    Created,
    Updated,
    Unchanged,
    NotFound,
    AlreadyExists,
    PreconditionFailed,
    /// <summary>Others kept writing the same row; the caller may retry.</summary>
    Contended,
}

public sealed record WriteResult(WriteOutcome Outcome, TableEntity? Entity = null);

/// <summary>
/// The <c>users{bucket}</c> tables (<see cref="UserTables"/>): single-user reads and conditional writes, listing with search, and the
/// bulk reads import and membership need. Storage failures other than the expected 404/409/412
/// propagate; those three become <see cref="WriteOutcome"/> values.
/// </summary>
public sealed class UserStore(DirectoryTables tables, TimeProvider time) : IUserDirectory
{
    /// <summary>Below this many ids, point reads; above, one range scan (cheaper per row, costs the range).</summary>
    const int PointReadLimit = 500;

    ValueTask<TableClient> TableAsync(string userId, CancellationToken cancellationToken) => tables.Users.OfUserAsync(userId, cancellationToken);

    public async Task<TableEntity?> GetAsync(string userId, CancellationToken cancellationToken)
    {
        var table = await TableAsync(userId, cancellationToken);
        return await table.GetEntityAsync(UserEntity.PartitionKeyFor(userId), UserEntity.RowKeyFor(userId), cancellationToken: cancellationToken);
    }

    async Task<UserSummary?> IUserDirectory.GetUserAsync(string userId, CancellationToken cancellationToken) =>
        DirectoryIds.IsValid(userId) && await GetAsync(userId, cancellationToken) is { } entity ? UserEntity.ToSummary(entity) : null;

    /// <summary>Inserts a new user; <see cref="WriteOutcome.AlreadyExists"/> when the id is taken.</summary>
    public async Task<WriteResult> CreateAsync(UserFields user, CancellationToken cancellationToken)
    {
        var table = await TableAsync(user.Id, cancellationToken);
        var entity = UserEntity.Apply(null, user, time.GetUtcNow());
        try
        {
            entity.ETag = await table.AddEntityAsync(entity, cancellationToken);
            return new(WriteOutcome.Created, entity);
        }
        catch (StorageRequestFailedException e) when (e.IsConflict)
        {
            return new(WriteOutcome.AlreadyExists);
        }
    }

    /// <summary>
    /// Create-or-replace. <paramref name="ifMatch"/> (from HTTP If-Match; <see cref="ETag.All"/> for "*")
    /// requires the stored version; <paramref name="createOnly"/> (If-None-Match: *) requires absence.
    /// A write that changes nothing is <see cref="WriteOutcome.Unchanged"/> and leaves UpdatedAt alone.
    /// </summary>
    public async Task<WriteResult> PutAsync(UserFields user, ETag? ifMatch, bool createOnly, CancellationToken cancellationToken)
    {
        var table = await TableAsync(user.Id, cancellationToken);
        return await ConditionalPut.RunAsync(table, UserEntity.PartitionKeyFor(user.Id), UserEntity.RowKeyFor(user.Id),
            existing => UserEntity.Apply(existing, user, time.GetUtcNow()),
            existing => UserEntity.HasSameFields(existing, user),
            ifMatch, createOnly, cancellationToken);
    }

    public async Task<WriteOutcome> DeleteAsync(string userId, ETag? ifMatch, CancellationToken cancellationToken)
    {
        var table = await TableAsync(userId, cancellationToken);
        try
        {
            var deleted = await table.DeleteEntityAsync(UserEntity.PartitionKeyFor(userId), UserEntity.RowKeyFor(userId), ifMatch ?? ETag.All, cancellationToken);
            return deleted ? WriteOutcome.Updated : WriteOutcome.NotFound;
        }
        catch (StorageRequestFailedException e) when (e.IsPreconditionFailed)
        {
            return WriteOutcome.PreconditionFailed;
        }
    }

    /// <summary>
    /// One page of users after <paramref name="after"/>, optionally only those whose short name,
    /// full name or email contains <paramref name="search"/> (case-insensitive). Table storage has
    /// no contains operator, so a search scans the rows and filters here: each request reads
    /// at most <see cref="DirectoryPaging.ScanBudget"/> rows and may answer a short page with a token.
    /// The bucket tables are read in order, from the one the token's partition names.
    /// </summary>
    public async Task<(IReadOnlyList<TableEntity> Items, PagePosition? NextAfter)> ListAsync(string? search, PagePosition? after, int pageSize,
        CancellationToken cancellationToken)
    {
        var needle = string.IsNullOrWhiteSpace(search) ? null : search.Trim().ToLowerInvariant();
        var firstBucket = after is { } position ? UserEntity.FirstBucketFrom(position.PartitionKey) : 0;
        return await DirectoryPaging.ScanAsync(UserTables.Count, tables.Users.BucketAsync, firstBucket, UserEntity.AllRows, UserEntity.ListColumns,
            after, pageSize, needle is null ? null : e => UserEntity.Matches(e, needle), DirectoryPaging.ScanBudget, cancellationToken);
    }

    /// <summary>The stored rows of those of <paramref name="userIds"/> that exist (whole rows, or <paramref name="select"/>).</summary>
    public async Task<Dictionary<string, TableEntity>> ReadManyAsync(IReadOnlyCollection<string> userIds, IReadOnlyList<string>? select,
        CancellationToken cancellationToken)
    {
        var found = new ConcurrentDictionary<string, TableEntity>(StringComparer.Ordinal);
        if (userIds.Count == 0) return new(found);
        if (userIds.Count <= PointReadLimit)
        {
            await TableBulk.ForEachAsync(userIds, async (id, token) =>
            {
                var table = await TableAsync(id, token);
                if (await table.GetEntityAsync(UserEntity.PartitionKeyFor(id), UserEntity.RowKeyFor(id), select, token) is { } entity) found[id] = entity;
            }, cancellationToken);
            return new(found);
        }
        // Many ids: one range scan per bucket (in the bucket's own table), from its smallest to its largest wanted id.
        return await tables.Users.ReadRangesAsync(userIds, UserEntity.BucketOf, b => TableFilter.PartitionKey.Eq(UserEntity.PartitionKeyOfBucket(b)), select,
            cancellationToken);
    }

    /// <summary>Which of <paramref name="userIds"/> are users.</summary>
    public async Task<HashSet<string>> ExistingIdsAsync(IReadOnlyCollection<string> userIds, CancellationToken cancellationToken) =>
        [.. (await ReadManyAsync(userIds, ["RowKey"], cancellationToken)).Keys];
}
