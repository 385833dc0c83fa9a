using ManagedDistribution.Features.Directory;
using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Invitations;

/// <summary>The <c>manageddistribution</c> table: one row per user that was ever enabled.</summary>
public sealed class ManagedDistributionStore(TableServiceClient service) : IUserManagedDistributionSource
{
    public const string TableName = "manageddistribution";

    readonly TableOnFirstUse table = new(service, TableName);

    /// <summary>The user's state; a never-enabled user has no row and reads as not enabled.</summary>
    public async Task<ManagedDistributionState> GetAsync(string userId, CancellationToken cancellationToken)
    {
        var client = await table.GetAsync(cancellationToken);
        var row = await client.GetEntityAsync(UserEntity.PartitionKeyFor(userId), userId, cancellationToken: cancellationToken);
        return row is null ? ManagedDistributionState.NotEnabled(userId) : ManagedDistributionState.Read(row);
    }

    async Task<UserManagedDistribution> IUserManagedDistributionSource.ForUserAsync(string userId, CancellationToken cancellationToken) =>
        (await GetAsync(userId, cancellationToken)).ToDto().ForUserResource();

    /// <summary>Insert or replace: one admin request changes a user's state at a time in this slice.</summary>
    public async Task<ManagedDistributionState> SaveAsync(ManagedDistributionState state, CancellationToken cancellationToken)
    {
        var client = await table.GetAsync(cancellationToken);
        var etag = await client.UpsertEntityAsync(state.ToEntity(), cancellationToken: cancellationToken);
        return state with { ETag = etag };
    }
}
