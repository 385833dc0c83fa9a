using ManagedDistribution.Features.Devices.Protocol.Plist;

namespace ManagedDistribution.Features.Devices.Protocol;

/// <summary>
/// First check-in of an enrollment, sent while the profile installs; enrollment is not finished yet.
/// <see href="https://developer.apple.com/documentation/devicemanagement/authenticaterequest">AuthenticateRequest</see>.
/// Required: <c>Topic</c> and <c>UDID</c> (or <c>EnrollmentID</c> in User Enrollment); the rest depends
/// on OS and access rights (<c>DeviceName</c>, <c>Model</c>, <c>ModelName</c> are macOS only).
/// </summary>
public sealed record Authenticate : CheckinMessage
{
    internal const string Type = "Authenticate";

    public override string MessageType => Type;
    public string? SerialNumber { get; init; }
    public string? ProductName { get; init; }
    public string? Model { get; init; }
    public string? ModelName { get; init; }
    public string? OSVersion { get; init; }
    public string? BuildVersion { get; init; }
    public string? DeviceName { get; init; }
    public string? Imei { get; init; }
    public string? Meid { get; init; }

    /// <summary>The OS family, from <see cref="ProductName"/> or <see cref="Model"/>.</summary>
    public DevicePlatform Platform => DevicePlatforms.FromProduct(ProductName, Model);

    /// <summary><see cref="OSVersion"/> parsed; null when absent or unreadable.</summary>
    public Version? ParsedOSVersion => DevicePlatforms.ParseOSVersion(OSVersion);

    internal static Authenticate Decode(PlistDictionary dict) => new()
    {
        Topic = dict.RequireString("Topic"),
        Identity = MdmChannelIdentity.Read(dict),
        SerialNumber = dict.OptionalString("SerialNumber"),
        ProductName = dict.OptionalString("ProductName"),
        Model = dict.OptionalString("Model"),
        ModelName = dict.OptionalString("ModelName"),
        OSVersion = dict.OptionalString("OSVersion"),
        BuildVersion = dict.OptionalString("BuildVersion"),
        DeviceName = dict.OptionalString("DeviceName"),
        Imei = dict.OptionalString("IMEI"),
        Meid = dict.OptionalString("MEID"),
    };
}
