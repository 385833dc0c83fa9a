namespace ManagedDistribution.Features.Assignments;

/// <summary>Body of <c>POST .../assignments</c> and <c>.../assignments/preview</c>.</summary>
/// <param name="InstallMode"><c>automatic</c> (default) or <c>manual</c>; internal apps are always automatic (R6).</param>
public sealed record AssignmentInput(string? ContentId, string? InstallMode);

/// <summary>
/// One assignment of one catalogue item to one target. <c>State</c>: <c>licensed</c> (purchased
/// content: the license is committed at Apple), <c>pending</c> (internal content: the install is
/// queued, no license involved), <c>failed</c> (Apple refused; <c>Reason</c> says why, the license
/// was released).
/// </summary>
public sealed partial record AssignmentDto(
    string Id, string TargetKind, string TargetId, string ContentId, string InstallMode, string State, string? Reason,
    bool LicenseConsumed, string? CommandUuid, string? Note, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record AssignmentList(string TargetKind, string TargetId, IReadOnlyList<AssignmentDto> Items);

/// <summary>
/// What an assignment would do, nothing changed: licenses it would consume, and when it would be
/// refused, the problem code it would answer (<c>not-enrolled</c>, <c>not-eligible</c>,
/// <c>token-missing</c>, <c>license-exhausted</c>) and why.
/// </summary>
public sealed partial record AssignmentPreview(
    string TargetKind, string TargetId, string ContentId, string InstallMode, bool Allowed, int LicensesNeeded,
    int? LicensesAvailable, string? Refusal, string? Reason, bool AlreadyAssigned);
