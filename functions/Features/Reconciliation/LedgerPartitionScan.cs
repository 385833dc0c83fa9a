using ManagedDistribution.Features.Licenses;
using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Reconciliation;

/// <summary>One of our target rows (<c>t|d|{serial}</c> / <c>t|u|{clientUserId}</c>), reduced to what a comparison needs.</summary>
internal sealed record OurTarget(string Kind, string Id, LicenseState State, string Owner, string ReservationKey)
{
    public string Key => Kind + "|" + Id;
    public LicenseTarget ToLicenseTarget() => new(Kind == TargetKinds.Device ? LicenseTargetKind.Device : LicenseTargetKind.User, Id);
}

/// <summary>
/// Reads an item's ledger partition straight from the <c>licenses</c> table, in one range query
/// from <c>r|</c> to the end of <c>t|</c>: the reservation records and every target row, only the
/// columns a comparison needs. Faster than <see cref="LicenseLedger.GetTargetsAsync"/> for 500,000 rows.
/// </summary>
internal sealed class LedgerPartitionScan(TableServiceClient service)
{
    const string ReservationPrefix = "r|";
    static readonly string[] Columns =
    [
        "RowKey", "TargetKind", "TargetId", "State", "Owner", "ReservationKey",
        "IdempotencyKey", "Requested", "Granted", "Committed", "Released", "Returned", "RequestedAt",
    ];

    readonly TableOnFirstUse licenses = new(service, LicenseLedger.TableName);

    /// <summary>Reservations still pending (granted, neither committed nor released) and, with <paramref name="targets"/>, every target row.</summary>
    public async Task<(List<ReservationRecord> Pending, List<OurTarget> Targets)> ReadAsync(
        string contentId, bool targets, CancellationToken cancellationToken)
    {
        var table = await licenses.GetAsync(cancellationToken);
        var end = targets ? LicenseKeys.PrefixEnd(LicenseKeys.TargetPrefix) : LicenseKeys.PrefixEnd(ReservationPrefix);
        var filter = TableFilter.PartitionKey.Eq(contentId) & TableFilter.RowKey.Ge(ReservationPrefix) & TableFilter.RowKey.Lt(end);
        var pending = new List<ReservationRecord>();
        var rows = new List<OurTarget>();
        await foreach (var row in table.QueryAsync(filter, Columns, cancellationToken: cancellationToken))
        {
            if (row.RowKey.StartsWith(ReservationPrefix, StringComparison.Ordinal))
            {
                var record = ReservationRecord.Read(row);
                if (record.Pending > 0) pending.Add(record);
            }
            else if (row.RowKey.StartsWith(LicenseKeys.TargetPrefix, StringComparison.Ordinal) && Read(row) is { } target)
                rows.Add(target);
        }
        return (pending, rows);
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
        var table = await licenses.GetAsync(cancellationToken);
        var found = new System.Collections.Concurrent.ConcurrentDictionary<string, OurTarget>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(targets, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (t, ct) =>
        {
            var key = LicenseKeys.TargetRow(new LicenseTarget(t.Kind == TargetKinds.Device ? LicenseTargetKind.Device : LicenseTargetKind.User, t.Id));
            if (await table.GetEntityAsync(contentId, key, Columns, ct) is { } row && Read(row) is { } target) found[target.Key] = target;
        });
        return new Dictionary<string, OurTarget>(found, StringComparer.Ordinal);
    }

    static OurTarget? Read(TableEntity row)
    {
        if (row.GetString("TargetId") is not { Length: > 0 } id) return null;
        var kind = row.GetString("TargetKind") == nameof(LicenseTargetKind.User) ? TargetKinds.User : TargetKinds.Device;
        var state = Enum.TryParse<LicenseState>(row.GetString("State"), out var s) ? s : LicenseState.Waiting;
        return new OurTarget(kind, id, state, row.GetString("Owner") ?? "", row.GetString("ReservationKey") ?? "");
    }
}
