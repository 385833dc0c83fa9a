using ManagedDistribution.Features.Assignments.Members;
using ManagedDistribution.Features.Devices.Protocol;
using ManagedDistribution.Features.Devices.Registry;
using ManagedDistribution.Platform.Http;
using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Assignments.DeviceGroups;

/// <summary>Why a member is left out: a <see cref="MemberReasons"/> code and the sentence shown to admins.</summary>
public sealed record LeftOut(string Reason, string Detail);

/// <summary>
/// Group semantics of the device rules, without I/O: the group as a whole is refused only when
/// the content cannot go to any device (a purchased book, an app Apple does not allow on
/// devices); each member is then checked on its own (R1, R3, OS minimums) and left pending with
/// a reason instead of failing the group.
/// </summary>
public static class MemberRules
{
    /// <summary>The refusal of the whole group, or null when members are to be checked one by one.</summary>
    public static Refusal? CheckGroup(ContentKind kind, TableEntity content) => kind switch
    {
        ContentKind.VppBook => new(ProblemCodes.NotEligible, "Purchased books are assigned to users only, never to devices (R1, R7)."),
        ContentKind.VppApp when content.GetBoolean("DeviceAssignable") != true =>
            new(ProblemCodes.NotEligible, "Apple does not allow this app to be assigned to devices (not device-assignable)."),
        _ => null,
    };

    /// <summary>Why this member cannot receive the content now, or null when it can.</summary>
    public static LeftOut? Check(DeviceRecord? device, ContentKind kind, TableEntity content)
    {
        if (device is null) return new(MemberReasons.NotEnrolled, "No device has this id (R3).");
        if (AssignmentRules.CheckDevice(device, content) is not { } refusal) return null;
        if (refusal.Problem == ProblemCodes.NotEnrolled) return new(MemberReasons.NotEnrolled, refusal.Reason);
        return IsOsTooOld(device, kind) ? new(MemberReasons.OsTooOld, refusal.Reason) : new(MemberReasons.NotEligible, refusal.Reason);
    }

    static bool IsOsTooOld(DeviceRecord device, ContentKind kind)
    {
        if (kind != ContentKind.VppApp || string.IsNullOrEmpty(device.SerialNumber)) return false;
        var minimum = AssignmentRules.FamilyOf(device.Platform) switch
        {
            "macOS" => AssignmentRules.MacVppMinimum,
            "iOS" => AssignmentRules.IosVppMinimum,
            _ => null,
        };
        return minimum is not null && DevicePlatforms.ParseOSVersion(device.OSVersion) is { } version && version < minimum;
    }
}
