using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Licenses;

/// <summary>
/// The counts of one purchased item. <see cref="Total"/> comes from Apple (sync, ASSET_COUNT);
/// <see cref="Assigned"/> (committed) and <see cref="Reserved"/> (pending) are ours;
/// <see cref="External"/> is what Apple shows assigned beyond our committed licenses (another MDM,
/// the portal, assignments made before this server) until reconciliation attributes them.
/// </summary>
public sealed record LedgerCounts(int Total, int Assigned, int Reserved, int External)
{
    /// <summary>Licenses that may still be reserved; never negative.</summary>
    public int Available => Math.Max(0, Total - Assigned - Reserved - External);
}

/// <summary>The ledger row with where the item lives at Apple.</summary>
public sealed record LedgerEntry(
    string ContentId, string LocationUId, string AdamId, string PricingParam, LedgerCounts Counts,
    int AppleAssigned, DateTimeOffset? SyncedAt, ETag ETag)
{
    internal static LedgerEntry Read(TableEntity e) => new(
        e.PartitionKey, e.GetString("LocationUId") ?? "", e.GetString("AdamId") ?? "", e.GetString("PricingParam") ?? "",
        new LedgerCounts(e.GetInt32("Total") ?? 0, e.GetInt32("Assigned") ?? 0, e.GetInt32("Reserved") ?? 0, e.GetInt32("External") ?? 0),
        e.GetInt32("AppleAssigned") ?? 0, e.GetDateTimeOffset("SyncedAt"), e.ETag);

    internal TableEntity ToEntity(DateTimeOffset now) => new(ContentId, LicenseKeys.LedgerRow)
    {
        ["LocationUId"] = LocationUId,
        ["AdamId"] = AdamId,
        ["PricingParam"] = PricingParam,
        ["Total"] = Counts.Total,
        ["Assigned"] = Counts.Assigned,
        ["Reserved"] = Counts.Reserved,
        ["External"] = Counts.External,
        ["AppleAssigned"] = AppleAssigned,
        ["SyncedAt"] = SyncedAt ?? now,
        ["UpdatedAt"] = now,
    };
}

/// <summary>
/// What one reservation (idempotency key) asked for and what became of it. Remaining reserved =
/// <see cref="Granted"/> − <see cref="Committed"/> − <see cref="Released"/>; held =
/// <see cref="Committed"/> − <see cref="Returned"/>. <see cref="Steps"/> are the step keys of
/// partial commits/releases already applied (their replays are no-ops).
/// </summary>
public sealed record ReservationRecord(
    string IdempotencyKey, string Owner, int Requested, int Granted, int Committed, int Released, int Returned,
    DateTimeOffset RequestedAt, IReadOnlyList<string> Steps, ETag ETag)
{
    public int Pending => Granted - Committed - Released;
    public int Held => Committed - Returned;
    public int Waiting => Requested - Granted;

    /// <summary>See <see cref="ReservationRequest.SettledByOwner"/>.</summary>
    public bool SettledByOwner { get; init; }

    internal static ReservationRecord Read(TableEntity e) => new(
        e.GetString("IdempotencyKey") ?? "", e.GetString("Owner") ?? "", e.GetInt32("Requested") ?? 0, e.GetInt32("Granted") ?? 0,
        e.GetInt32("Committed") ?? 0, e.GetInt32("Released") ?? 0, e.GetInt32("Returned") ?? 0,
        e.GetDateTimeOffset("RequestedAt") ?? DateTimeOffset.MinValue,
        (e.GetString("Steps") ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries), e.ETag)
    {
        SettledByOwner = e.GetBoolean("SettledByOwner") ?? false,
    };

    internal TableEntity ToEntity(string contentId) => new(contentId, LicenseKeys.ReservationRow(IdempotencyKey))
    {
        ["IdempotencyKey"] = IdempotencyKey,
        ["Owner"] = Owner,
        ["Requested"] = Requested,
        ["Granted"] = Granted,
        ["Committed"] = Committed,
        ["Released"] = Released,
        ["Returned"] = Returned,
        ["RequestedAt"] = RequestedAt,
        ["Steps"] = string.Join('\n', Steps),
        ["SettledByOwner"] = SettledByOwner,
    };
}

/// <summary>An entry of the waiting list: a reservation that got fewer licenses than it asked for.</summary>
public sealed record WaitingEntry(string IdempotencyKey, string Owner, int Count, DateTimeOffset RequestedAt)
{
    internal static WaitingEntry Read(TableEntity e) => new(
        e.GetString("IdempotencyKey") ?? "", e.GetString("Owner") ?? "", e.GetInt32("Count") ?? 0,
        e.GetDateTimeOffset("RequestedAt") ?? DateTimeOffset.MinValue);

    internal TableEntity ToEntity(string contentId) => new(contentId, LicenseKeys.WaitingRow(RequestedAt, IdempotencyKey))
    {
        ["IdempotencyKey"] = IdempotencyKey,
        ["Owner"] = Owner,
        ["Count"] = Count,
        ["RequestedAt"] = RequestedAt,
    };
}
