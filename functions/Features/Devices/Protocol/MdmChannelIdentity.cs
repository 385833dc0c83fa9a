using ManagedDistribution.Features.Devices.Protocol.Plist;

namespace ManagedDistribution.Features.Devices.Protocol;

/// <summary>
/// Who sent a check-in or command report: the device (by <c>UDID</c>, or <c>EnrollmentID</c> in
/// User Enrollment) and, on a user channel, the user. Apple sends these keys on every check-in
/// and connect request (<see href="https://developer.apple.com/documentation/devicemanagement/tokenupdaterequest">TokenUpdateRequest</see>,
/// <see href="https://developer.apple.com/documentation/devicemanagement/implementing-device-management/sending-mdm-commands-to-a-device">Sending MDM commands</see>).
/// </summary>
public sealed record MdmChannelIdentity
{
    /// <summary>Shared iPad sends this <c>UserID</c> for every user; the user is then named by <c>UserShortName</c>.</summary>
    public const string SharedIPadUserId = "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF";

    public string? Udid { get; init; }
    public string? EnrollmentId { get; init; }
    public string? UserId { get; init; }
    public string? UserShortName { get; init; }
    public string? UserLongName { get; init; }
    public string? EnrollmentUserId { get; init; }

    /// <summary>The device channel's id: <c>UDID</c>, or <c>EnrollmentID</c> when the enrollment is a User Enrollment.</summary>
    public string DeviceChannelId => Udid ?? EnrollmentId ?? throw new InvalidOperationException("Identity has neither UDID nor EnrollmentID.");

    /// <summary>True for User Enrollment (BYOD), where Apple withholds the UDID.</summary>
    public bool IsUserEnrollment => Udid is null;

    /// <summary>
    /// The user channel's id, or null on the device channel. Shared iPad reports the same all-F
    /// <c>UserID</c> for every user, so there the short name (the Managed Apple Account) is the id;
    /// macOS User Enrollment names the user by <c>EnrollmentUserID</c> instead of <c>UserID</c>.
    /// </summary>
    public string? UserChannelId => EnrollmentUserId
        ?? (string.Equals(UserId, SharedIPadUserId, StringComparison.OrdinalIgnoreCase) ? UserShortName : UserId)
        ?? UserShortName;

    public bool IsUserChannel => UserChannelId is not null;

    internal static MdmChannelIdentity Read(PlistDictionary dict)
    {
        var identity = new MdmChannelIdentity
        {
            Udid = dict.OptionalString("UDID"),
            EnrollmentId = dict.OptionalString("EnrollmentID"),
            UserId = dict.OptionalString("UserID"),
            UserShortName = dict.OptionalString("UserShortName"),
            UserLongName = dict.OptionalString("UserLongName"),
            EnrollmentUserId = dict.OptionalString("EnrollmentUserID"),
        };
        if (string.IsNullOrEmpty(identity.Udid) && string.IsNullOrEmpty(identity.EnrollmentId))
            throw new MdmMessageException(new(MdmParseErrorCode.MissingKey, "Neither 'UDID' nor 'EnrollmentID' is present.", "UDID"));
        return identity;
    }
}
