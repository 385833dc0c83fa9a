using ManagedDistribution.Features.Devices.Protocol.Plist;

namespace ManagedDistribution.Features.Devices.Protocol.Commands;

/// <summary>
/// Shows the Apps and Books (VPP) invitation to the device's user. Issues the invite only; joining
/// is seen through Apple's <c>USER_ASSOCIATED</c> notification. Not in User Enrollment.
/// <see href="https://developer.apple.com/documentation/devicemanagement/invitetoprogramcommand">InviteToProgramCommand</see>.
/// </summary>
public sealed record InviteToProgramCommand : MdmCommandPayload
{
    internal const string Type = "InviteToProgram";

    /// <summary>The only <c>ProgramID</c> Apple defines.</summary>
    public const string CloudVppProgramId = "com.apple.cloudvpp";

    public override string RequestType => Type;
    public string ProgramId { get; init; } = CloudVppProgramId;
    public required string InvitationUrl { get; init; }

    internal override void WriteKeys(PlistDictionary command)
    {
        command.Add("ProgramID", ProgramId);
        command.Add("InvitationURL", InvitationUrl);
    }

    internal static InviteToProgramCommand Read(PlistDictionary dict) => new()
    {
        ProgramId = dict.RequireString("ProgramID"),
        InvitationUrl = dict.RequireString("InvitationURL"),
    };
}
