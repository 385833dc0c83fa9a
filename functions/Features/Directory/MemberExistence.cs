using ManagedDistribution.Features.Devices;
using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Directory;

/// <summary>Which of some ids are existing members of a kind: users from the users table, devices from the device registry.</summary>
public sealed class MemberExistence(UserStore users, IDeviceDirectory devices)
{
    public async Task<HashSet<string>> ExistingAsync(GroupKind kind, IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        if (kind == GroupKind.User) return await users.ExistingIdsAsync(ids, cancellationToken);
        var found = new System.Collections.Concurrent.ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        await TableBulk.ForEachAsync(ids, async (id, token) =>
        {
            if (await devices.ExistsAsync(id, token)) found[id] = true;
        }, cancellationToken);
        return [.. found.Keys];
    }
}
