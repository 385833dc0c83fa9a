using ManagedDistribution.Features.Licenses;
using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Reconciliation;

/// <summary>One of our target rows (<see cref="LicenseTargetLayout"/>), reduced to what a comparison needs.</summary>
internal sealed record OurTarget(string Kind, string Id, LicenseState State, string Owner, string ReservationKey)
{
    public string Key => Kind + "|" + Id;
    public LicenseTarget ToLicenseTarget() => new(Kind == TargetKinds.Device ? LicenseTargetKind.Device : LicenseTargetKind.User, Id);
}

/// <summary>
/// Reads our side of an item straight from the ledger's tables, only the columns a comparison
/// needs: its target rows with one query on its shard table (<see cref="LicenseTargetLayout"/>:
/// a partition-key range over its bucket partitions) and, when asked, its pending reservation
/// records from <c>licenses</c>. Faster than <see cref="LicenseLedger.GetTargetsAsync"/> for 500,000 rows.
/// </summary>
internal sealed class LedgerPartitionScan(TableServiceClient service)
{
    const string ReservationPrefix = "r|";
    static readonly string[] TargetColumns = ["RowKey", "TargetId", "State", "Owner", "ReservationKey"];
    static readonly string[] Columns = ["IdempotencyKey", "Owner", "Requested", "Granted", "Committed", "Released", "Returned", "RequestedAt"];

    readonly TableOnFirstUse licenses = new(service, LicenseLedger.TableName);
    readonly LicenseTargetTables targetTables = new(service);

    /// <summary>Every target row of the item and, with <paramref name="reservations"/>, its pending reservations (granted, neither committed nor released).</summary>
    public async Task<(List<ReservationRecord> Pending, List<OurTarget> Targets)> ReadAsync(
        string contentId, bool reservations, CancellationToken cancellationToken)
    {
        var pending = reservations ? PendingAsync(contentId, cancellationToken) : Task.FromResult(new List<ReservationRecord>());
        var rows = (await targetTables.ReadItemAsync(contentId, TargetColumns, cancellationToken)).Select(Read).OfType<OurTarget>().ToList();
        return (await pending, rows);
    }

    async Task<List<ReservationRecord>> PendingAsync(string contentId, CancellationToken cancellationToken)
    {
        var table = await licenses.GetAsync(cancellationToken);
        var filter = TableFilter.PartitionKey.Eq(contentId) & TableFilter.RowKey.Ge(ReservationPrefix)
            & TableFilter.RowKey.Lt(LicenseKeys.PrefixEnd(ReservationPrefix));
        var pending = new List<ReservationRecord>();
        await foreach (var row in table.QueryAsync(filter, Columns, cancellationToken: cancellationToken))
            if (ReservationRecord.Read(row) is { Pending: > 0 } record) pending.Add(record);
        return pending;
    }

    /// <summary>
    /// Pending reservations older than <paramref name="before"/> of every item of a location, in one
    /// query across its partitions (content ids <c>vpp-{uId}-…</c>), keyed by content id. One
    /// query instead of one per item: Azurite evaluates every query against the whole table.
    /// </summary>
    public async Task<Dictionary<string, List<ReservationRecord>>> StaleReservationsAsync(string uId, DateTimeOffset before,
        CancellationToken cancellationToken)
    {
        var table = await licenses.GetAsync(cancellationToken);
        var prefix = $"vpp-{uId}-";
        var filter = TableFilter.PartitionKey.Ge(prefix) & TableFilter.PartitionKey.Lt(LicenseKeys.PrefixEnd(prefix))
            & TableFilter.RowKey.Ge(ReservationPrefix) & TableFilter.RowKey.Lt(LicenseKeys.PrefixEnd(ReservationPrefix))
            & TableFilter.Property("RequestedAt").Lt(before);
        var stale = new Dictionary<string, List<ReservationRecord>>(StringComparer.Ordinal);
        await foreach (var row in table.QueryAsync(filter, ["PartitionKey", .. Columns], cancellationToken: cancellationToken))
        {
            var record = ReservationRecord.Read(row);
            if (record.Pending > 0) (stale.TryGetValue(row.PartitionKey, out var list) ? list : stale[row.PartitionKey] = []).Add(record);
        }
        return stale;
    }

    /// <summary>Our rows for some targets (an incremental read's changes), in parallel point reads.</summary>
    public async Task<Dictionary<string, OurTarget>> GetAsync(string contentId, IReadOnlyCollection<(string Kind, string Id)> targets,
        CancellationToken cancellationToken)
    {
        var found = new System.Collections.Concurrent.ConcurrentDictionary<string, OurTarget>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(targets, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (t, ct) =>
        {
            var target = new LicenseTarget(t.Kind == TargetKinds.Device ? LicenseTargetKind.Device : LicenseTargetKind.User, t.Id);
            var table = await targetTables.ForTargetAsync(contentId, target, ct);
            var row = await table.GetEntityAsync(LicenseTargetLayout.PartitionKey(contentId, target), LicenseTargetLayout.RowKey(target), TargetColumns, ct);
            if (row is not null && Read(row) is { } ours) found[ours.Key] = ours;
        });
        return new Dictionary<string, OurTarget>(found, StringComparer.Ordinal);
    }

    static OurTarget? Read(TableEntity row)
    {
        if (LicenseTargetLayout.TargetOf(row.RowKey, row.GetString("TargetId")) is not { } target) return null;
        var kind = target.Kind == LicenseTargetKind.User ? TargetKinds.User : TargetKinds.Device;
        var state = Enum.TryParse<LicenseState>(row.GetString("State"), out var s) ? s : LicenseState.Waiting;
        return new OurTarget(kind, target.Id, state, row.GetString("Owner") ?? "", row.GetString("ReservationKey") ?? "");
    }
}
