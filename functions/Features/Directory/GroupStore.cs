using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Directory;

/// <summary>The <c>usergroups</c> and <c>devicegroups</c> tables: group rows and their member counts.</summary>
public sealed class GroupStore(DirectoryTables tables, TimeProvider time)
{
    const int CountAttempts = 8;

    public async Task<TableEntity?> GetAsync(GroupKind kind, string groupId, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        return await tables.Groups(kind).GetEntityAsync(GroupEntity.PartitionKeyFor(), GroupEntity.RowKeyFor(groupId), cancellationToken: cancellationToken);
    }

    public async Task<WriteResult> CreateAsync(GroupKind kind, GroupFields group, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        var entity = GroupEntity.Apply(null, group, time.GetUtcNow());
        try
        {
            entity.ETag = await tables.Groups(kind).AddEntityAsync(entity, cancellationToken);
            return new(WriteOutcome.Created, entity);
        }
        catch (StorageRequestFailedException e) when (e.IsConflict)
        {
            return new(WriteOutcome.AlreadyExists);
        }
    }

    public async Task<WriteResult> PutAsync(GroupKind kind, GroupFields group, ETag? ifMatch, bool createOnly, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        return await ConditionalPut.RunAsync(tables.Groups(kind), GroupEntity.PartitionKeyFor(), GroupEntity.RowKeyFor(group.Id),
            existing => GroupEntity.Apply(existing, group, time.GetUtcNow()),
            existing => GroupEntity.HasSameFields(existing, group),
            ifMatch, createOnly, cancellationToken);
    }

    public async Task<WriteOutcome> DeleteAsync(GroupKind kind, string groupId, ETag? ifMatch, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        try
        {
            return await tables.Groups(kind).DeleteEntityAsync(GroupEntity.PartitionKeyFor(), GroupEntity.RowKeyFor(groupId), ifMatch ?? ETag.All, cancellationToken)
                ? WriteOutcome.Updated : WriteOutcome.NotFound;
        }
        catch (StorageRequestFailedException e) when (e.IsPreconditionFailed)
        {
            return WriteOutcome.PreconditionFailed;
        }
    }

    /// <summary>One page of groups, optionally those whose name contains <paramref name="search"/> (case-insensitive scan).</summary>
    public async Task<(IReadOnlyList<TableEntity> Items, PagePosition? NextAfter)> ListAsync(GroupKind kind, string? search, PagePosition? after, int pageSize,
        CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        var needle = string.IsNullOrWhiteSpace(search) ? null : search.Trim().ToLowerInvariant();
        return await DirectoryPaging.ScanAsync(tables.Groups(kind), TableFilter.PartitionKey.Eq(GroupEntity.PartitionKeyFor()), null, after, pageSize,
            needle is null ? null : e => e.GetString("NameLower")?.Contains(needle, StringComparison.Ordinal) ?? false, cancellationToken);
    }

    /// <summary>
    /// Sets MemberCount from <paramref name="count"/> (a recount of the members partition) so that
    /// concurrent bulk changes converge: the group's ETag is read before counting and the write is
    /// conditional on it, so a writer that counted too early loses and counts again. Returns the
    /// stored count, or null when the group is gone.
    /// </summary>
    public async Task<int?> RefreshMemberCountAsync(GroupKind kind, string groupId, Func<CancellationToken, Task<int>> count,
        CancellationToken cancellationToken)
    {
        var table = tables.Groups(kind);
        for (var attempt = 0; ; attempt++)
        {
            var group = await GetAsync(kind, groupId, cancellationToken);
            if (group is null) return null;
            var members = await count(cancellationToken);
            // Written even when equal: the write bumps the ETag, which is what makes a concurrent
            // writer that counted before our rows landed fail and count again.
            var update = new TableEntity(group.PartitionKey, group.RowKey) { ["MemberCount"] = members };
            try
            {
                await table.UpdateEntityAsync(update, group.ETag, TableUpdateMode.Merge, cancellationToken);
                return members;
            }
            catch (StorageRequestFailedException e) when ((e.IsPreconditionFailed || e.IsNotFound) && attempt < CountAttempts)
            {
            }
        }
    }
}
