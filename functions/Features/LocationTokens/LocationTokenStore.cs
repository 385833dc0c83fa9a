using ManagedDistribution.Features.AppsAndBooks;
using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.LocationTokens;

/// <summary>
/// The installed location tokens. Other features get a location's <see cref="LocationToken"/>
/// here (R4: none installed → <c>token-missing</c>); the secret is decrypted only for the call.
/// </summary>
public sealed class LocationTokenStore(TableServiceClient service, TokenProtector protector)
{
    public const string TableName = "vpptokens";

    readonly TableOnFirstUse tokens = new(service, TableName);

    public async Task<IReadOnlyList<LocationTokenRecord>> ListAsync(CancellationToken cancellationToken)
    {
        var table = await tokens.GetAsync(cancellationToken);
        var records = new List<LocationTokenRecord>();
        await foreach (var row in table.QueryAsync(TableFilter.PartitionKey.Eq(LocationTokenRecord.Partition), cancellationToken: cancellationToken))
            records.Add(LocationTokenRecord.Read(row));
        return records;
    }

    public async Task<LocationTokenRecord?> GetAsync(string uId, CancellationToken cancellationToken)
    {
        var table = await tokens.GetAsync(cancellationToken);
        var row = await table.GetEntityAsync(LocationTokenRecord.Partition, LicensesSafe(uId), cancellationToken: cancellationToken);
        return row is null ? null : LocationTokenRecord.Read(row);
    }

    /// <summary>The decrypted token of a location, for one Apple call; null when none is installed.</summary>
    public async Task<LocationToken?> GetTokenAsync(string uId, CancellationToken cancellationToken) =>
        await GetAsync(uId, cancellationToken) is { } record ? TokenOf(record) : null;

    public LocationToken TokenOf(LocationTokenRecord record) => LocationToken.FromString(protector.Unprotect(record.ProtectedToken));

    /// <summary>Insert or replace (a re-install of the same location replaces its token).</summary>
    public async Task<LocationTokenRecord> SaveAsync(LocationTokenRecord record, CancellationToken cancellationToken)
    {
        var table = await tokens.GetAsync(cancellationToken);
        var etag = await table.UpsertEntityAsync(record.ToEntity(), cancellationToken: cancellationToken);
        return record with { ETag = etag };
    }

    /// <summary>Writes what a health check found; a lost race with an install is ignored (its answer is newer).</summary>
    public async Task UpdateIfUnchangedAsync(LocationTokenRecord record, CancellationToken cancellationToken)
    {
        var table = await tokens.GetAsync(cancellationToken);
        try
        {
            await table.UpdateEntityAsync(record.ToEntity(), record.ETag, cancellationToken: cancellationToken);
        }
        catch (StorageRequestFailedException e) when (e.IsPreconditionFailed || e.IsNotFound)
        {
        }
    }

    public async Task<bool> DeleteAsync(string uId, CancellationToken cancellationToken)
    {
        var table = await tokens.GetAsync(cancellationToken);
        return await table.DeleteEntityAsync(LocationTokenRecord.Partition, LicensesSafe(uId), ETag.All, cancellationToken);
    }

    static string LicensesSafe(string uId) => Licenses.LicenseKeys.SafeKey(uId);
}
