using System.Collections.Concurrent;

namespace ManagedDistribution.Features.Reconciliation;

/// <summary>
/// Gathers one location's drift while its items are compared in parallel: full counts, and the
/// first <see cref="ReconciliationOptions.ReportListLimit"/> entries of each list.
/// </summary>
internal sealed class DriftCollector(string locationUId, int listLimit)
{
    readonly CappedList<TargetDrift> orphans = new(listLimit), lost = new(listLimit), duplicates = new(listLimit), retired = new(listLimit);
    readonly CappedList<StaleReservationDrift> stale = new(listLimit);
    readonly ConcurrentBag<ItemDrift> items = [];
    int orphansReleased, reassociated, fullItems, verifiedUnchanged;

    /// <summary>Items whose target rows were not read: unchanged since found equal to Apple, and Apple's set the same.</summary>
    public int VerifiedUnchangedCount => Volatile.Read(ref verifiedUnchanged);
    public void VerifiedUnchanged() => Interlocked.Increment(ref verifiedUnchanged);

    public string LocationUId => locationUId;
    public string ReadMode { get; set; } = ReadModes.Full;
    public string? SinceVersionId { get; set; }
    public string? VersionId { get; set; }
    public bool VersionChanged { get; set; }
    public long AppleAssignmentsRead { get; set; }
    public int UsersSynced { get; set; }

    public void Orphan(TargetDrift t) => orphans.Add(t);
    public void Lost(TargetDrift t) => lost.Add(t);
    public void Duplicate(TargetDrift t) => duplicates.Add(t);
    public void RetiredHolder(TargetDrift t) => retired.Add(t);
    public void Stale(StaleReservationDrift s) => stale.Add(s);
    public void Item(ItemDrift item)
    {
        items.Add(item);
        if (item.ComparedInFull) Interlocked.Increment(ref fullItems);
    }
    public void Repaired(int reassociatedCount, int releasedCount)
    {
        Interlocked.Add(ref reassociated, reassociatedCount);
        Interlocked.Add(ref orphansReleased, releasedCount);
    }

    /// <summary>Marks listed entries repaired (the list keeps only the first ones; counts come from <see cref="Repaired"/>).</summary>
    public void MarkRepaired(bool lostList, string contentId, IReadOnlySet<string> targetKeys) =>
        (lostList ? lost : orphans).Update(t => t.ContentId == contentId && targetKeys.Contains(t.TargetKind + "|" + t.TargetId),
            t => t with { Repaired = true });

    public LocationDrift Build(string? skipped = null)
    {
        var itemList = items.OrderBy(i => i.ContentId, StringComparer.Ordinal).ToList();
        var totals = new DriftTotals(orphans.Count, orphansReleased, lost.Count, reassociated, duplicates.Count, retired.Count, stale.Count,
            itemList.Count(i => i.Difference != 0 || i.Orphans != 0 || i.Lost != 0));
        return new LocationDrift(locationUId, skipped is null ? ReadMode : ReadModes.Skipped, SinceVersionId, VersionId, VersionChanged, skipped,
            AppleAssignmentsRead, itemList.Count, fullItems, UsersSynced, totals,
            orphans.ToList(), lost.ToList(), duplicates.ToList(), retired.ToList(), stale.ToList(), itemList);
    }

    sealed class CappedList<T>(int limit)
    {
        readonly List<T> first = [];
        int count;

        public int Count => Volatile.Read(ref count);

        public void Add(T value)
        {
            lock (first)
            {
                count++;
                if (first.Count < limit) first.Add(value);
            }
        }

        public void Update(Func<T, bool> match, Func<T, T> change)
        {
            lock (first)
                for (var i = 0; i < first.Count; i++)
                    if (match(first[i])) first[i] = change(first[i]);
        }

        public DriftList<T> ToList()
        {
            lock (first) return new DriftList<T>(count, [.. first]);
        }
    }
}
