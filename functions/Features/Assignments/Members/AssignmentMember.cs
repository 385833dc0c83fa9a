namespace ManagedDistribution.Features.Assignments.Members;

/// <summary>Values of a group member's <see cref="AssignmentMember.State"/> (issue 4: per-member state).</summary>
public static class MemberStates
{
    /// <summary>The license is committed at Apple (purchased content), or nothing needed licensing.</summary>
    public const string Licensed = "licensed";
    /// <summary>Not served yet; <see cref="AssignmentMember.Reason"/> says why (<see cref="MemberReasons"/>).</summary>
    public const string Pending = "pending";
    /// <summary>The device acknowledged the install command (or inventory shows it).</summary>
    public const string Installed = "installed";
    /// <summary>Apple refused the license or the device refused the install; the reason says which.</summary>
    public const string Failed = "failed";
    /// <summary>The member lost the content (left the group, checked out, assignment deleted).</summary>
    public const string Revoked = "revoked";
}

/// <summary>Stable reason codes of pending, failed and revoked members; shown to admins and used by previews.</summary>
public static class MemberReasons
{
    public const string NotEnrolled = "not-enrolled";
    public const string NotEligible = "not-eligible";
    public const string OsTooOld = "os-too-old";
    /// <summary>No license left: the member is on the item's waiting list (R17).</summary>
    public const string NoLicense = "no-license-left";
    /// <summary>R8: the user has not accepted the managed-distribution invitation yet.</summary>
    public const string UserNotEnrolled = "user-not-enrolled";
    public const string AppleRefused = "apple-refused";
    public const string InstallFailed = "install-failed";
    public const string LeftGroup = "left-group";
    public const string CheckedOut = "checked-out";
    public const string AssignmentDeleted = "assignment-deleted";
}

/// <summary>
/// One member of a group assignment (table <c>assignmentmembers</c>, PK
/// <c>{kind}|{groupId}|{contentId}|{bucket}</c>, RK member id; see <see cref="AssignmentMemberStore"/>). <see cref="Order"/> is the member's
/// first-come-first-served position (group join time or user enrolment time, as ticks).
/// </summary>
public sealed record AssignmentMember(
    string Kind, string GroupId, string ContentId, string MemberId, string State, string? Reason, DateTimeOffset UpdatedAt)
{
    public string? SerialNumber { get; init; }
    public string? CommandUuid { get; init; }
    public string? Detail { get; init; }
    public long? Order { get; init; }
}

/// <summary>What <c>GET .../assignments/{contentId}/members</c> shows of a member.</summary>
public sealed record AssignmentMemberDto(string MemberId, string State, string? Reason, string? Detail, string? CommandUuid, DateTimeOffset UpdatedAt);

/// <summary>A page of members and the opaque token for the next one.</summary>
public sealed record AssignmentMemberPage(IReadOnlyList<AssignmentMemberDto> Items, string? ContinuationToken);
