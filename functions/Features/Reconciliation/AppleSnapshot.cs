using ManagedDistribution.Features.AppsAndBooks;
using ManagedDistribution.Features.AppsAndBooks.Models;

namespace ManagedDistribution.Features.Reconciliation;

/// <summary>
/// Apple's assignments of one item, kept compact: the serial numbers and clientUserIds as two
/// string sets (not the page records), plus the targets Apple listed more than once. A 500,000-row
/// location costs about 40 MB this way; comparing an item removes its matches as it goes.
/// </summary>
internal sealed class AppleItemAssignments
{
    public HashSet<string> Devices { get; } = new(StringComparer.Ordinal);
    public HashSet<string> Users { get; } = new(StringComparer.Ordinal);
    public List<(string Kind, string Id)> Duplicates { get; } = [];

    public int Count => Devices.Count + Users.Count;

    public void Add(Assignment a)
    {
        var (set, kind, id) = a.SerialNumber is { Length: > 0 } serial ? (Devices, TargetKinds.Device, serial)
            : a.ClientUserId is { Length: > 0 } user ? (Users, TargetKinds.User, user)
            : (null, "", "");
        if (set is null) return;
        if (!set.Add(id)) Duplicates.Add((kind, id));
    }

    public bool Remove(string kind, string id) => (kind == TargetKinds.Device ? Devices : Users).Remove(id);

    public bool Contains(string kind, string id) => (kind == TargetKinds.Device ? Devices : Users).Contains(id);
}

/// <summary>Target kinds as reported (the ledger's device/user).</summary>
public static class TargetKinds
{
    public const string Device = "device";
    public const string User = "user";
}

/// <summary>One read of Get Assignments (every page), grouped by asset.</summary>
internal sealed class AppleSnapshot
{
    public Dictionary<AssetKey, AppleItemAssignments> Items { get; } = [];
    public string? VersionId { get; private set; }
    public bool VersionChanged { get; private set; }
    public long Read { get; private set; }

    public AppleItemAssignments? For(AssetKey asset) => Items.GetValueOrDefault(asset);

    /// <summary>Streams the pages (Apple allows 5 in flight; the client keeps to its setting) into compact sets.</summary>
    public static async Task<AppleSnapshot> ReadAsync(AppsAndBooksClient apple, LocationToken token, AssignmentFilter? filter,
        Action<long>? progress, CancellationToken cancellationToken)
    {
        var snapshot = new AppleSnapshot();
        await foreach (var page in apple.GetAssignmentPagesAsync(token, filter, cancellationToken))
        {
            if (snapshot.VersionId is null) snapshot.VersionId = page.VersionId;
            else snapshot.VersionChanged |= !string.Equals(snapshot.VersionId, page.VersionId, StringComparison.Ordinal);
            foreach (var a in page.Assignments)
            {
                var key = a.Asset;
                if (!snapshot.Items.TryGetValue(key, out var item)) snapshot.Items[key] = item = new AppleItemAssignments();
                item.Add(a);
                snapshot.Read++;
            }
            progress?.Invoke(snapshot.Read);
        }
        return snapshot;
    }
}
