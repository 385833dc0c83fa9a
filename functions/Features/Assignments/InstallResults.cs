using ManagedDistribution.Features.Assignments.Members;
using ManagedDistribution.Features.Devices;
using ManagedDistribution.Features.Devices.Commands;
using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Assignments;

/// <summary>
/// What an install command's end means for the assignment that queued it: matched on the command
/// UUID the assignment row or member row recorded. Shared by the device and user listeners.
/// </summary>
public static class InstallResults
{
    /// <summary>The command source of everything the assignment features queue.</summary>
    public const string Source = "assignments";

    /// <summary>An install queued by assignments that the device answered (expiry changes nothing).</summary>
    public static bool IsAnsweredInstall(CommandResult result) =>
        result.Source == Source && result.RequestType is "InstallApplication" or "InstallMedia"
        && result.Status is CommandStatuses.Acknowledged or CommandStatuses.Error;

    /// <summary>
    /// A single-target assignment row: acknowledged → <c>installed</c>; an error is noted and the
    /// state kept (its license stays committed). False when the row is not this command's.
    /// </summary>
    public static bool Apply(TableEntity row, CommandResult result, DateTimeOffset now)
    {
        if (row.GetString("CommandUuid") != result.CommandUuid || row.GetString("State") is AssignmentStates.Revoked) return false;
        if (result.Status == CommandStatuses.Acknowledged) row["State"] = AssignmentStates.Installed;
        else row["Note"] = "Install failed: " + (result.Error ?? "the device reported an error.");
        row["UpdatedAt"] = now;
        return true;
    }

    /// <summary>A group member: <c>installed</c>, or <c>failed / install-failed</c> with the device's error; null when not this command's.</summary>
    public static AssignmentMember? Apply(AssignmentMember? member, CommandResult result, DateTimeOffset now, bool keepDetail)
    {
        if (member?.CommandUuid != result.CommandUuid || member.State is MemberStates.Revoked) return null;
        return result.Status == CommandStatuses.Acknowledged
            ? member with { State = MemberStates.Installed, Reason = null, Detail = keepDetail ? member.Detail : null, UpdatedAt = now }
            : member with { State = MemberStates.Failed, Reason = MemberReasons.InstallFailed, Detail = result.Error ?? "The device reported an error.", UpdatedAt = now };
    }
}
