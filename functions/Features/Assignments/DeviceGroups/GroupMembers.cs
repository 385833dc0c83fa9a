using ManagedDistribution.Features.Devices;
using ManagedDistribution.Features.Devices.Registry;
using ManagedDistribution.Features.Directory;
using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Assignments.DeviceGroups;

/// <summary>A device group member in first-come-first-served order (<see cref="Order"/> = join time ticks) with its device row, if any.</summary>
public sealed record GroupMember(string DeviceId, long Order, DeviceRecord? Device);

/// <summary>
/// Reads a device group's members in join order and their device rows without one point read per
/// member for large groups: the group's partition of each member bucket table once, then the device
/// rows one range query per device bucket table. Small reads are point reads, each into one small bucket partition of one bucket table.
/// </summary>
public sealed class GroupMembers(DirectoryTables directory, DeviceTables devices)
{
    /// <summary>Below this many members point reads (in parallel) beat a range query per device bucket table.</summary>
    public const int PointReadLimit = 200;

    static readonly string[] MemberFields = ["RowKey", "AddedAt"];
    static readonly string[] DeviceFields = ["PartitionKey", "RowKey", "EnrollmentState", "Platform", "OSVersion", "SerialNumber"];

    /// <summary>Every member of the group (or only <paramref name="only"/>, when given), in join order.</summary>
    public Task<IReadOnlyList<GroupMember>> ReadAsync(string groupId, IReadOnlyCollection<string>? only, CancellationToken cancellationToken) =>
        ReadAsync(groupId, only, null, cancellationToken);

    /// <param name="phases">Laps <c>memberships</c> and <c>devices</c>, when given.</param>
    public async Task<IReadOnlyList<GroupMember>> ReadAsync(string groupId, IReadOnlyCollection<string>? only, PhaseClock? phases,
        CancellationToken cancellationToken)
    {
        await directory.EnsureCreatedAsync(cancellationToken);
        var joined = new List<(string Id, long Order)>();
        if (only is { Count: <= PointReadLimit })
        {
            var rows = new TableEntity?[only.Count];
            var ids = only.ToArray();
            await TableBulk.ForEachAsync(Enumerable.Range(0, ids.Length), async (i, ct) =>
                rows[i] = await directory.GroupMembers.GetAsync(GroupKind.Device, groupId, ids[i], MemberFields, ct), cancellationToken);
            joined.AddRange(rows.OfType<TableEntity>().Select(r => (r.RowKey, OrderOf(r))));
        }
        else
        {
            var filter = only is null ? null : new HashSet<string>(only, StringComparer.Ordinal);
            foreach (var row in await MemberPages.ReadAllAsync(directory.GroupMembers, GroupKind.Device, groupId, MemberFields, cancellationToken))
                if (filter is null || filter.Contains(row.RowKey)) joined.Add((row.RowKey, OrderOf(row)));
        }
        joined.Sort((a, b) => a.Order != b.Order ? a.Order.CompareTo(b.Order) : string.CompareOrdinal(a.Id, b.Id));
        phases?.Lap("memberships");
        var records = await DevicesAsync(joined.Select(j => j.Id).ToList(), cancellationToken);
        phases?.Lap("devices");
        return [.. joined.Select(j => new GroupMember(j.Id, j.Order, records.GetValueOrDefault(j.Id)))];
    }

    /// <summary>
    /// Device rows (enrolment, platform, OS, serial) of the ids that exist: point reads in their
    /// bucket tables for a few, else one range query per bucket table holding any (in parallel).
    /// </summary>
    public async Task<Dictionary<string, DeviceRecord>> DevicesAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        if (ids.Count <= PointReadLimit)
        {
            var found = new System.Collections.Concurrent.ConcurrentDictionary<string, DeviceRecord>(StringComparer.Ordinal);
            await TableBulk.ForEachAsync(ids, async (id, ct) =>
            {
                if (await devices.Devices.GetAsync(id, DeviceFields, ct) is { } row) found[id] = DeviceRecord.FromEntity(row);
            }, cancellationToken);
            return new(found, StringComparer.Ordinal);
        }
        var rows = await devices.Devices.ReadRangesAsync(ids, DeviceFields, cancellationToken);
        return rows.ToDictionary(pair => pair.Key, pair => DeviceRecord.FromEntity(pair.Value), StringComparer.Ordinal);
    }

    /// <summary>
    /// The group row's ETag, or null when there is no group. The directory writes the row (recounts
    /// the members) after every membership change and before it tells its listeners, so an unchanged
    /// version means no leave has reached the leave listener since it was read (<see cref="DepartedMembers"/>).
    /// </summary>
    public async Task<string?> MembershipVersionAsync(string groupId, CancellationToken cancellationToken)
    {
        await directory.EnsureCreatedAsync(cancellationToken);
        var row = await directory.Groups(GroupKind.Device).GetEntityAsync(GroupEntity.PartitionKeyFor(), GroupEntity.RowKeyFor(groupId), ["RowKey"],
            cancellationToken);
        return row?.ETag.ToString();
    }

    /// <summary>Ids of every member of the group (keys only, its partition of every bucket table). Read here, not through MembershipStore, which calls our listener.</summary>
    public async Task<HashSet<string>> MemberIdsAsync(string groupId, CancellationToken cancellationToken)
    {
        await directory.EnsureCreatedAsync(cancellationToken);
        var rows = await MemberPages.ReadAllAsync(directory.GroupMembers, GroupKind.Device, groupId, ["RowKey"], cancellationToken);
        return rows.Select(r => r.RowKey).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Which of <paramref name="ids"/> are members now (no device rows): point reads of their member rows for a few, else the group's member keys.</summary>
    public async Task<HashSet<string>> MembersAmongAsync(string groupId, IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        if (ids.Count > PointReadLimit)
        {
            var all = await MemberIdsAsync(groupId, cancellationToken);
            all.IntersectWith(ids);
            return all;
        }
        await directory.EnsureCreatedAsync(cancellationToken);
        var found = new System.Collections.Concurrent.ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        await TableBulk.ForEachAsync(ids, async (id, ct) =>
        {
            if (await directory.GroupMembers.GetAsync(GroupKind.Device, groupId, id, ["RowKey"], ct) is not null) found[id] = true;
        }, cancellationToken);
        return found.Keys.ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The device groups the device belongs to: the member index, each entry confirmed by a point read in the device's bucket table and partition of the group.</summary>
    public async Task<IReadOnlyList<string>> GroupsOfAsync(string deviceId, CancellationToken cancellationToken)
    {
        await directory.EnsureCreatedAsync(cancellationToken);
        var groups = new List<string>();
        await foreach (var row in directory.MemberGroups.QueryAsync(TableFilter.PartitionKey.Eq(MembershipEntity.IndexPartitionFor(GroupKind.Device, deviceId)),
            ["RowKey"], cancellationToken: cancellationToken))
            if (await directory.GroupMembers.GetAsync(GroupKind.Device, row.RowKey, deviceId, ["RowKey"], cancellationToken) is not null)
                groups.Add(row.RowKey);
        return groups;
    }

    static long OrderOf(TableEntity row) => (row.GetDateTimeOffset("AddedAt") ?? DateTimeOffset.MinValue).UtcTicks;
}
