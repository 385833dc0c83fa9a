using ManagedDistribution.Features.Devices.Protocol.Plist;

namespace ManagedDistribution.Features.Devices.Protocol.Commands;

/// <summary>
/// One managed app as <c>ManagedApplicationList</c> reports it. <see cref="Status"/> uses the
/// InstallApplication state names; <c>UserInstalledApp</c>, <c>UserRejected</c>, <c>UpdateRejected</c>,
/// <c>ManagementRejected</c> and <c>Failed</c> are reported once and then vanish.
/// </summary>
public sealed record ManagedApplication(
    string BundleId,
    string Status,
    long? ManagementFlags = null,
    string? UnusedRedemptionCode = null,
    bool? HasConfiguration = null,
    bool? HasFeedback = null,
    bool? IsValidated = null,
    long? ExternalVersionIdentifier = null);

/// <summary>
/// The answer to <see cref="ManagedApplicationListCommand"/>: the <c>ManagedApplicationList</c> dictionary
/// keyed by bundle id.
/// <see href="https://developer.apple.com/documentation/devicemanagement/managedapplicationlistresponse">ManagedApplicationListResponse</see>.
/// </summary>
public sealed record ManagedApplicationListResponse(IReadOnlyList<ManagedApplication> Applications)
{
    public static MdmParseResult<ManagedApplicationListResponse> Parse(CommandReport report) =>
        MdmDecoder.Decode(report.Response, dict => new ManagedApplicationListResponse(
            dict.RequireDictionary("ManagedApplicationList")
                .Select(entry => ReadApplication(entry.Key, entry.Value))
                .ToArray()));

    static ManagedApplication ReadApplication(string bundleId, object value)
    {
        var app = value as PlistDictionary ?? throw MessageFields.WrongType("ManagedApplicationList", "dict of dict");
        return new ManagedApplication(
            bundleId,
            app.RequireString("Status"),
            app.OptionalInteger("ManagementFlags"),
            app.OptionalString("UnusedRedemptionCode"),
            app.OptionalBoolean("HasConfiguration"),
            app.OptionalBoolean("HasFeedback"),
            app.OptionalBoolean("IsValidated"),
            app.OptionalInteger("ExternalVersionIdentifier"));
    }
}
