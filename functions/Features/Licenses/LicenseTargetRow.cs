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
    internal static TableEntity ToEntity(string contentId, LicenseTarget target, LicenseState state, string owner, string reservationKey, DateTimeOffset now) =>
        LicenseTargetLayout.ToEntity(contentId, target, state, owner, reservationKey, now);

    internal static LicenseTargetRow Read(TableEntity e) => new(
        LicenseTargetLayout.ContentIdOf(e.PartitionKey),
        new LicenseTarget(Enum.Parse<LicenseTargetKind>(e.GetString("TargetKind") ?? nameof(LicenseTargetKind.Device)), e.GetString("TargetId") ?? ""),
        Enum.Parse<LicenseState>(e.GetString("State") ?? nameof(LicenseState.Waiting)),
        e.GetString("Owner") ?? "", e.GetString("ReservationKey") ?? "", e.GetDateTimeOffset("UpdatedAt") ?? DateTimeOffset.MinValue, e.ETag);
}
