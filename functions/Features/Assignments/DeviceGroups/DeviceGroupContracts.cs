namespace ManagedDistribution.Features.Assignments.DeviceGroups;

/// <summary>Values of a device group assignment's <c>State</c>.</summary>
public static class GroupAssignmentStates
{
    /// <summary>Recorded; members being checked and licenses reserved (a repeated POST finishes it).</summary>
    public const string Assigning = "assigning";
    /// <summary>Members decided; licensing runs inline (done) or in the workflow named by <c>TaskId</c>.</summary>
    public const string Active = "active";
    /// <summary>DELETE of a large group: the workflow named by <c>TaskId</c> revokes the members; the assignment is removed when it completes.</summary>
    public const string Revoking = "revoking";
}

/// <summary>The answer to a DELETE that runs as a workflow: follow <c>GET /api/tasks/{taskId}</c>. <c>Members</c>: members not yet revoked when it answered.</summary>
public sealed record DeviceGroupRevocationTask(string TaskId, string GroupId, string ContentId, int Members);

/// <summary>
/// One assignment of a catalogue item to a device group. <c>Members</c> counts members per state
/// (licensed, pending, installed, failed, revoked); <c>TaskId</c> names the workflow that licenses
/// large groups (<c>GET /api/tasks/{id}</c>), or, while <c>State</c> is <c>revoking</c>, the one
/// that revokes them; null when everything ran inline.
/// </summary>
public sealed record DeviceGroupAssignmentDto(
    string Id, string GroupId, string ContentId, string ContentKind, string InstallMode, string State, string? TaskId,
    IReadOnlyDictionary<string, int> Members, int LicensesGranted, int Waiting, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record DeviceGroupAssignmentList(string GroupId, IReadOnlyList<DeviceGroupAssignmentDto> Items);

/// <summary>Members left out for one reason: how many, and the first ones (join order).</summary>
public sealed record LeftOutGroup(string Reason, int Count, IReadOnlyList<string> FirstMemberIds);

/// <summary>
/// What assigning the item to the group would do, nothing changed: members, licenses it would
/// consume, licenses available, members already holding a license, and who would be left out and why
/// (<c>not-enrolled</c>, <c>not-eligible</c>, <c>os-too-old</c>, <c>no-license-left</c>).
/// A group-level <c>Refusal</c> (problem code) means nothing would be assigned.
/// </summary>
public sealed record DeviceGroupAssignmentPreview(
    string GroupId, string ContentId, string InstallMode, int MemberCount, int WouldLicense, int LicensesNeeded, int? LicensesAvailable,
    int AlreadyLicensed, IReadOnlyList<LeftOutGroup> LeftOut, string? Refusal, string? Reason, bool AlreadyAssigned);
