using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Directory;

/// <summary>
/// Group membership in bulk: members partitions (in their bucket tables, <see cref="GroupMemberTables"/>) written as 100-row transactions, the per-member
/// index as many small partitions in parallel, and MemberCount recounted after each change.
/// Every operation is idempotent, so re-running a request that failed half-way completes it.
/// Callers check that groups and members exist; this store only writes the pairs.
/// </summary>
public sealed class MembershipStore(DirectoryTables tables, GroupStore groups, IEnumerable<IGroupMembershipListener> listeners, TimeProvider time)
{
    static readonly string[] KeysOnly = ["RowKey"];

    GroupMemberTables Members => tables.GroupMembers;
    TableClient Index => tables.MemberGroups;

    /// <summary>Ids of every member of the group (keys only; see <see cref="MemberPages.ReadAllAsync"/>).</summary>
    public async Task<HashSet<string>> MemberIdsAsync(GroupKind kind, string groupId, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        var rows = await MemberPages.ReadAllAsync(Members, kind, groupId, KeysOnly, cancellationToken);
        return rows.Select(r => r.RowKey).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>A page of the group's members in id order (the bucket tables merged, see <see cref="MemberPages"/>).</summary>
    public async Task<(IReadOnlyList<TableEntity> Items, PagePosition? NextAfter)> ListAsync(GroupKind kind, string groupId, PagePosition? after, int pageSize,
        CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        return await MemberPages.ReadAsync(Members, kind, groupId, after?.RowKey, pageSize, cancellationToken);
    }

    /// <summary>Adds members to groups (group id → member ids); members already present are left as they are.</summary>
    public async Task<Dictionary<string, MembersAdded>> AddAsync(GroupKind kind, IReadOnlyDictionary<string, IReadOnlyCollection<string>> membersByGroup,
        CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        var now = time.GetUtcNow();
        var fresh = new System.Collections.Concurrent.ConcurrentDictionary<string, List<string>>(StringComparer.Ordinal);
        await TableBulk.ForEachAsync(membersByGroup, async (entry, token) =>
        {
            var existing = await MemberIdsAsync(kind, entry.Key, token);
            fresh[entry.Key] = [.. entry.Value.Where(id => !existing.Contains(id))];
        }, cancellationToken);

        var upsert = TableTransactionActionType.UpsertReplace;
        await TableBulk.SubmitAsync(Index, fresh.SelectMany(g => g.Value.Select(m =>
            new TableTransactionAction(upsert, MembershipEntity.Index(kind, m, g.Key, now)))), null, cancellationToken);
        await Members.SubmitAsync(fresh.SelectMany(g => g.Value.Select(m =>
            new TableTransactionAction(upsert, MembershipEntity.Member(kind, g.Key, m, now)))), null, cancellationToken);

        var result = new System.Collections.Concurrent.ConcurrentDictionary<string, MembersAdded>(StringComparer.Ordinal);
        await TableBulk.ForEachAsync(membersByGroup, async (entry, token) =>
        {
            var count = await RecountAsync(kind, entry.Key, token);
            result[entry.Key] = new MembersAdded(fresh[entry.Key].Count, entry.Value.Count - fresh[entry.Key].Count, count);
        }, cancellationToken);
        foreach (var (groupId, memberIds) in membersByGroup) await TellAsync(new(kind, groupId, memberIds, []), cancellationToken);
        return new(result, StringComparer.Ordinal);
    }

    /// <summary>Removes members from a group; ids that are not members are counted and otherwise ignored.</summary>
    public async Task<MembersRemoved> RemoveAsync(GroupKind kind, string groupId, IReadOnlyCollection<string> memberIds, CancellationToken cancellationToken)
    {
        var existing = await MemberIdsAsync(kind, groupId, cancellationToken);
        var present = memberIds.Where(existing.Contains).ToList();
        await DeletePairsAsync(kind, present.Select(m => (groupId, m)), cancellationToken);
        var count = await RecountAsync(kind, groupId, cancellationToken);
        await TellAsync(new(kind, groupId, [], memberIds), cancellationToken);
        return new MembersRemoved(present.Count, memberIds.Count - present.Count, count);
    }

    /// <summary>Removes every member of a group (before the group row itself is deleted).</summary>
    public async Task<int> RemoveAllAsync(GroupKind kind, string groupId, CancellationToken cancellationToken)
    {
        var existing = await MemberIdsAsync(kind, groupId, cancellationToken);
        await DeletePairsAsync(kind, existing.Select(m => (groupId, m)), cancellationToken);
        // The group row is written after every change and before the listeners hear of it, removals included (device group licensing relies on it).
        await RecountAsync(kind, groupId, cancellationToken);
        await TellAsync(new(kind, groupId, [], existing), cancellationToken);
        return existing.Count;
    }

    /// <summary>
    /// The groups a member belongs to, from the index, each confirmed against the group's members
    /// partition (a point read in the member's bucket table); index rows a crash left behind are deleted on the way.
    /// </summary>
    public async Task<IReadOnlyList<MembershipDto>> GroupsOfMemberAsync(GroupKind kind, string memberId, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        var rows = new List<TableEntity>();
        await foreach (var row in Index.QueryAsync(TableFilter.PartitionKey.Eq(MembershipEntity.IndexPartitionFor(kind, memberId)), cancellationToken: cancellationToken))
            rows.Add(row);
        var confirmed = new bool[rows.Count];
        await TableBulk.ForEachAsync(Enumerable.Range(0, rows.Count), async (i, token) =>
        {
            var groupId = rows[i].RowKey;
            confirmed[i] = await Members.GetAsync(kind, groupId, memberId, KeysOnly, token) is not null;
            if (!confirmed[i]) await Index.DeleteEntityAsync(rows[i].PartitionKey, rows[i].RowKey, ETag.All, token);
        }, cancellationToken);
        return [.. rows.Where((_, i) => confirmed[i]).Select(r => new MembershipDto(r.RowKey, r.GetDateTimeOffset("AddedAt") ?? default))];
    }

    /// <summary>Takes a member out of every group it belongs to (a forced user delete); returns those group ids.</summary>
    public async Task<IReadOnlyList<string>> RemoveFromAllGroupsAsync(GroupKind kind, string memberId, CancellationToken cancellationToken)
    {
        var groupIds = (await GroupsOfMemberAsync(kind, memberId, cancellationToken)).Select(m => m.GroupId).ToList();
        await DeletePairsAsync(kind, groupIds.Select(g => (g, memberId)), cancellationToken);
        foreach (var groupId in groupIds) await RecountAsync(kind, groupId, cancellationToken);
        foreach (var groupId in groupIds) await TellAsync(new(kind, groupId, [], [memberId]), cancellationToken);
        return groupIds;
    }

    /// <summary>Members rows first, index rows last (the index stays a superset). Missing rows are fine.</summary>
    async Task DeletePairsAsync(GroupKind kind, IEnumerable<(string GroupId, string MemberId)> pairs, CancellationToken cancellationToken)
    {
        var list = pairs.ToList();
        if (list.Count == 0) return;
        var delete = TableTransactionActionType.Delete;
        await Members.SubmitAsync(list.Select(p => new TableTransactionAction(delete,
            new TableEntity(MembershipEntity.MembersPartitionFor(kind, p.GroupId, p.MemberId), MembershipEntity.MemberRowKeyFor(p.MemberId)), ETag.All)),
            TableBulk.DeleteOneByOne, cancellationToken);
        await TableBulk.SubmitAsync(Index, list.Select(p => new TableTransactionAction(delete,
            new TableEntity(MembershipEntity.IndexPartitionFor(kind, p.MemberId), MembershipEntity.IndexRowKeyFor(p.GroupId)), ETag.All)),
            TableBulk.DeleteOneByOne(Index), cancellationToken);
    }

    async Task TellAsync(GroupMembershipChange change, CancellationToken cancellationToken)
    {
        foreach (var listener in listeners) await listener.MembersChangedAsync(change, cancellationToken);
    }

    async Task<int> RecountAsync(GroupKind kind, string groupId, CancellationToken cancellationToken) =>
        await groups.RefreshMemberCountAsync(kind, groupId, async token => (await MemberIdsAsync(kind, groupId, token)).Count, cancellationToken) ?? 0;
}
