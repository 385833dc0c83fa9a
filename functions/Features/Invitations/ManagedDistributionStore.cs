using System.Collections.Concurrent;
using ManagedDistribution.Features.Directory;
using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Invitations;

/// <summary>
/// The <c>manageddistribution{0-63}</c> tables: one row per user that was ever enabled, in the
/// table of the user's directory bucket and one of its 16 sub-bucket partitions
/// (<see cref="ManagedDistributionLayout"/>), so bulk reads are one range scan per bucket and bulk
/// writes are 100-entity transactions per partition.
/// </summary>
public sealed class ManagedDistributionStore(TableServiceClient service) : IUserManagedDistributionSource
{
    const int MaxRaces = 5;
    const int PointReadLimit = 64;

    readonly StateTables tables = new(service);

    /// <summary>The 64 tables (<see cref="BucketTables"/>); partitions <c>user-{bb}-{s}</c> name their table by <c>bb</c>.</summary>
    sealed class StateTables(TableServiceClient service) : BucketTables(service, ManagedDistributionLayout.TableNamePrefix,
        ManagedDistributionLayout.TableCount, partitionKey => BucketOfHexSuffix(partitionKey[..^2]));

    ValueTask<TableClient> TableAsync(string userId, CancellationToken cancellationToken) =>
        tables.BucketAsync(ManagedDistributionLayout.TableIndexOf(userId), cancellationToken);

    /// <summary>The user's state; a never-enabled user has no row and reads as not enabled.</summary>
    public async Task<ManagedDistributionState> GetAsync(string userId, CancellationToken cancellationToken)
    {
        var client = await TableAsync(userId, cancellationToken);
        var row = await client.GetEntityAsync(ManagedDistributionLayout.PartitionKeyFor(userId), userId, cancellationToken: cancellationToken);
        return row is null ? ManagedDistributionState.NotEnabled(userId) : ManagedDistributionState.Read(row);
    }

    async Task<UserManagedDistribution> IUserManagedDistributionSource.ForUserAsync(string userId, CancellationToken cancellationToken) =>
        (await GetAsync(userId, cancellationToken)).ToDto().ForUserResource();

    /// <summary>Insert or replace, unconditionally: for setting a state up (tests); the app's own writes are conditional (<see cref="UpdateAsync"/>, transactions).</summary>
    public async Task<ManagedDistributionState> SaveAsync(ManagedDistributionState state, CancellationToken cancellationToken)
    {
        var client = await TableAsync(state.UserId, cancellationToken);
        var etag = await client.UpsertEntityAsync(state.ToEntity(), cancellationToken: cancellationToken);
        return state with { ETag = etag };
    }

    /// <summary>
    /// Read-decide-write with If-Match (insert for a user without a row), retried on a lost race.
    /// <paramref name="decide"/> returns null to change nothing. Returns (before, after-or-null).
    /// </summary>
    public async Task<(ManagedDistributionState Before, ManagedDistributionState? After)> UpdateAsync(string userId,
        Func<ManagedDistributionState, ManagedDistributionState?> decide, CancellationToken cancellationToken)
    {
        var client = await TableAsync(userId, cancellationToken);
        for (var race = 1; ; race++)
        {
            var current = await GetAsync(userId, cancellationToken);
            if (decide(current) is not { } next) return (current, null);
            try
            {
                var etag = current.ETag.IsEmpty
                    ? await client.AddEntityAsync(next.ToEntity(), cancellationToken)
                    : await client.UpdateEntityAsync(next.ToEntity(), current.ETag, cancellationToken: cancellationToken);
                return (current, next with { ETag = etag });
            }
            catch (StorageRequestFailedException e) when ((e.IsConflict || e.IsPreconditionFailed) && race < MaxRaces) { }
        }
    }

    /// <summary>The states of <paramref name="userIds"/> (never-enabled users included, as not enabled): one range scan per directory bucket.</summary>
    public async Task<Dictionary<string, ManagedDistributionState>> ReadManyAsync(IReadOnlyCollection<string> userIds, CancellationToken cancellationToken)
    {
        var found = new ConcurrentDictionary<string, ManagedDistributionState>(StringComparer.Ordinal);
        if (userIds.Count <= PointReadLimit)
        {
            await TableBulk.ForEachAsync(userIds, async (id, token) => found[id] = await GetAsync(id, token), cancellationToken);
            return new(found);
        }
        foreach (var (id, entity) in await tables.ReadRangesAsync(userIds, ManagedDistributionLayout.TableIndexOf, ManagedDistributionLayout.BucketPartitions,
            null, cancellationToken))
            found[id] = ManagedDistributionState.Read(entity);
        foreach (var id in userIds) found.TryAdd(id, ManagedDistributionState.NotEnabled(id));
        return new(found);
    }

    /// <summary>
    /// Writes many states in 100-entity transactions per partition, each conditional on the ETag the
    /// state was read with (insert for a state read without a row). A transaction that loses a
    /// race is redone one state at a time; the states that still lose are left out of the result.
    /// Returns the written states with their new ETags.
    /// </summary>
    public async Task<IReadOnlyList<ManagedDistributionState>> SaveManyAsync(IReadOnlyList<ManagedDistributionState> states,
        CancellationToken cancellationToken)
    {
        var saved = new ConcurrentBag<ManagedDistributionState>();
        var batches = states.GroupBy(s => ManagedDistributionLayout.PartitionKeyFor(s.UserId), StringComparer.Ordinal)
            .SelectMany(p => p.Chunk(TableBulk.BatchSize)).ToList();
        await TableBulk.ForEachAsync(batches, async (batch, token) =>
        {
            var client = await TableAsync(batch[0].UserId, token);
            try
            {
                var etags = await client.SubmitTransactionAsync([.. batch.Select(Action)], token);
                for (var i = 0; i < batch.Length; i++) saved.Add(batch[i] with { ETag = etags[i] });
            }
            catch (StorageRequestFailedException e) when (e.IsConflict || e.IsPreconditionFailed)
            {
                foreach (var state in batch)
                {
                    try
                    {
                        var etag = state.ETag.IsEmpty ? await client.AddEntityAsync(state.ToEntity(), token)
                            : await client.UpdateEntityAsync(state.ToEntity(), state.ETag, cancellationToken: token);
                        saved.Add(state with { ETag = etag });
                    }
                    catch (StorageRequestFailedException one) when (one.IsConflict || one.IsPreconditionFailed) { }
                }
            }
        }, cancellationToken);
        return [.. saved];
    }

    /// <summary>
    /// Marks users invited by <paramref name="campaignId"/> without reading them first: a merge of
    /// Status/InvitedAt/InvitedBy conditional on the ETag each was planned with, in 100-entity
    /// transactions per partition. A transaction that loses a race is redone one user at a time.
    /// Returns the new ETags of the users claimed; the others changed since planning (re-read them).
    /// </summary>
    public async Task<IReadOnlyDictionary<string, ETag>> ClaimManyAsync(IReadOnlyList<(string UserId, ETag PlannedETag)> users, string campaignId,
        int chunk, DateTimeOffset invitedAt, CancellationToken cancellationToken)
    {
        var claimed = new ConcurrentDictionary<string, ETag>(StringComparer.Ordinal);
        var batches = users.Where(u => !u.PlannedETag.IsEmpty).GroupBy(u => ManagedDistributionLayout.PartitionKeyFor(u.UserId), StringComparer.Ordinal)
            .SelectMany(p => p.Chunk(TableBulk.BatchSize)).ToList();
        TableEntity Claim(string userId) => new(ManagedDistributionLayout.PartitionKeyFor(userId), userId)
        {
            ["Status"] = EnrolmentStatus.Invited.ToString(), ["InvitedAt"] = invitedAt, ["InvitedBy"] = campaignId, ["InvitedChunk"] = chunk,
        };
        await TableBulk.ForEachAsync(batches, async (batch, token) =>
        {
            var client = await TableAsync(batch[0].UserId, token);
            try
            {
                var etags = await client.SubmitTransactionAsync(
                    [.. batch.Select(u => new TableTransactionAction(TableTransactionActionType.UpdateMerge, Claim(u.UserId), u.PlannedETag))], token);
                for (var i = 0; i < batch.Length; i++) claimed[batch[i].UserId] = etags[i];
            }
            catch (StorageRequestFailedException e) when (e.IsConflict || e.IsPreconditionFailed || e.IsNotFound)
            {
                foreach (var (userId, etag) in batch)
                {
                    try { claimed[userId] = await client.UpdateEntityAsync(Claim(userId), etag, TableUpdateMode.Merge, token); }
                    catch (StorageRequestFailedException one) when (one.IsConflict || one.IsPreconditionFailed || one.IsNotFound) { }
                }
            }
        }, cancellationToken);
        return claimed;
    }

    static TableTransactionAction Action(ManagedDistributionState state) => state.ETag.IsEmpty
        ? new(TableTransactionActionType.Add, state.ToEntity())
        : new(TableTransactionActionType.UpdateReplace, state.ToEntity(), state.ETag);
}
