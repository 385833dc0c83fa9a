namespace ManagedDistribution.Features.Assignments;

/// <summary>User-licensing fields of an assignment (absent on device assignments).</summary>
public sealed partial record AssignmentDto
{
    /// <summary><c>user</c> when the license is held by the user's Apple Account (purchased content assigned to a user or user group).</summary>
    public string? LicenseType { get; init; }

    /// <summary><c>appleId</c> (R8): the license follows the user's Apple Account, so the user must have accepted the invitation.</summary>
    public string? AssignmentMode { get; init; }

    /// <summary>Group assignments: how many members are in each state (licensed, pending, installed, failed, revoked).</summary>
    public IReadOnlyDictionary<string, int>? MemberCounts { get; init; }
}

/// <summary>What a group assignment would do to its members (user groups).</summary>
public sealed partial record AssignmentPreview
{
    /// <summary>Members by what would happen: <c>wouldLicense</c>, <c>wouldWait</c>, <c>userNotEnrolled</c>, <c>alreadyLicensed</c>, <c>noLicenseNeeded</c>.</summary>
    public IReadOnlyDictionary<string, int>? Members { get; init; }
}
