using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Licenses;

/// <summary>Where one target's license stands.</summary>
public enum LicenseState
{
    /// <summary>Asked for while none was available (R17): first come first served when one frees up.</summary>
    Waiting,
    /// <summary>Counted in the ledger's Reserved; Apple not yet confirmed.</summary>
    Reserved,
    /// <summary>Apple confirmed; counted in Assigned.</summary>
    Committed,
    /// <summary>Given back (refused by Apple, revoked, abandoned).</summary>
    Released,
}

/// <summary>The license of one target for one item, and the assignment (owner) and reservation it belongs to.</summary>
public sealed record LicenseTargetRow(
    string ContentId, LicenseTarget Target, LicenseState State, string Owner, string ReservationKey, DateTimeOffset UpdatedAt, ETag ETag)
{
    /// <summary>The step whose return released this row (<see cref="LicenseLedger.ReleaseTargetsOnceAsync"/>); null otherwise.</summary>
    public string? ReturnStep { get; init; }

    internal static TableEntity ToEntity(string contentId, LicenseTarget target, LicenseState state, string owner, string reservationKey) =>
        LicenseTargetLayout.ToEntity(contentId, target, state, owner, reservationKey);

    /// <summary>A row of <see cref="LicenseTargetLayout"/>; <see cref="UpdatedAt"/> is the row's storage <c>Timestamp</c> (its last write).</summary>
    internal static LicenseTargetRow Read(TableEntity e) => new(
        LicenseTargetLayout.ContentIdOf(e.PartitionKey),
        LicenseTargetLayout.TargetOf(e.RowKey, e.GetString("TargetId")) ?? new LicenseTarget(LicenseTargetKind.Device, ""),
        Enum.Parse<LicenseState>(e.GetString("State") ?? nameof(LicenseState.Waiting)),
        e.GetString("Owner") ?? "", e.GetString("ReservationKey") ?? "", e.Timestamp ?? DateTimeOffset.MinValue, e.ETag)
    { ReturnStep = e.GetString("ReturnStep") };
}
