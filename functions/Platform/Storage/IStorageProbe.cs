namespace ManagedDistribution.Platform.Storage;

/// <summary>
/// Checks that the storage account answers. Throws when it does not (socket error, timeout);
/// the health endpoint reports the failure.
/// </summary>
public interface IStorageProbe
{
    Task ProbeAsync(CancellationToken cancellationToken);
}
