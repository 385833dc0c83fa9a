namespace ManagedDistribution.Features.Devices.Protocol.Commands;

/// <summary>
/// Extra keys in a report on <see cref="InstallApplicationCommand"/>: the bundle <see cref="Identifier"/>,
/// the install <see cref="State"/>, and on <c>Error</c> the <see cref="RejectionReason"/> (macOS only says <c>Other</c>).
/// <see href="https://developer.apple.com/documentation/devicemanagement/installapplicationresponse">InstallApplicationResponse</see>.
/// </summary>
public sealed record InstallApplicationResponse(string? Identifier, string? State, string? RejectionReason)
{
    public static MdmParseResult<InstallApplicationResponse> Parse(CommandReport report) =>
        MdmDecoder.Decode(report.Response, dict => new InstallApplicationResponse(
            dict.OptionalString("Identifier"),
            dict.OptionalString("State"),
            dict.OptionalString("RejectionReason")));
}

/// <summary>
/// Extra keys in a report on <see cref="InstallMediaCommand"/>: the echoed book ids, <see cref="State"/>
/// and <see cref="RejectionReason"/> (e.g. <c>PurchaseNotFound</c> = no VPP license in the user's history).
/// <see href="https://developer.apple.com/documentation/devicemanagement/installmediaresponse">InstallMediaResponse</see>.
/// </summary>
public sealed record InstallMediaResponse(long? ITunesStoreId, string? PersistentId, string? State, string? RejectionReason)
{
    public static MdmParseResult<InstallMediaResponse> Parse(CommandReport report) =>
        MdmDecoder.Decode(report.Response, dict => new InstallMediaResponse(
            dict.OptionalIntegerOrNumericString("iTunesStoreID"),
            dict.OptionalString("PersistentID"),
            dict.OptionalString("State"),
            dict.OptionalString("RejectionReason")));
}

/// <summary>
/// The answer to <see cref="InviteToProgramCommand"/>: <c>Acknowledged</c>, <c>InvalidProgramID</c> or <c>InvalidInvitationURL</c>.
/// <see href="https://developer.apple.com/documentation/devicemanagement/invitetoprogramresponse">InviteToProgramResponse</see>.
/// </summary>
public sealed record InviteToProgramResponse(string InvitationResult)
{
    public const string Acknowledged = "Acknowledged";

    public static MdmParseResult<InviteToProgramResponse> Parse(CommandReport report) =>
        MdmDecoder.Decode(report.Response, dict => new InviteToProgramResponse(dict.RequireString("InvitationResult")));
}
