using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Licenses;

/// <summary>
/// The last time an item's target rows were (about to be) written: row <c>targetschanged</c> of the
/// item's partition, a new random <see cref="Stamp"/> each time. Every write of target rows stamps
/// it <b>before</b> the rows (or in the same transaction), so a reader that saw a stamp whose
/// <see cref="ChangedAt"/> is older than any write could take, and then read the rows, knows the rows
/// have not changed while the stamp stays the same. Reconciliation uses that to skip reading the
/// target rows of items it already found equal to Apple's (see Features/Reconciliation/README.md).
/// No stamp row: never written through the ledger since stamps exist (<see cref="None"/>).
/// </summary>
public sealed record TargetsChange(string Stamp, DateTimeOffset ChangedAt)
{
    public static readonly TargetsChange None = new("", DateTimeOffset.MinValue);

    internal static TableEntity ToEntity(string contentId, DateTimeOffset now) =>
        new(contentId, LicenseKeys.TargetsChangedRow) { ["Stamp"] = Guid.NewGuid().ToString("N"), ["ChangedAt"] = now };

    public static TargetsChange Read(TableEntity e) =>
        new(e.GetString("Stamp") ?? "", e.GetDateTimeOffset("ChangedAt") ?? DateTimeOffset.MinValue);
}

public sealed partial class LicenseLedger
{
    /// <summary>Stamps the item's <see cref="TargetsChange"/> before its target rows are written.</summary>
    async Task MarkTargetsChangingAsync(TableClient table, string contentId, CancellationToken cancellationToken) =>
        await table.UpsertEntityAsync(TargetsChange.ToEntity(contentId, time.GetUtcNow()), cancellationToken: cancellationToken);
}
