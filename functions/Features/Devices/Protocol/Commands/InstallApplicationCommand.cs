using ManagedDistribution.Features.Devices.Protocol.Plist;

namespace ManagedDistribution.Features.Devices.Protocol.Commands;

/// <summary>
/// Installs (or updates, or takes over) an app. Exactly one of <see cref="ITunesStoreId"/>,
/// <see cref="Identifier"/> or <see cref="ManifestUrl"/>.
/// <see href="https://developer.apple.com/documentation/devicemanagement/installapplicationcommand">InstallApplicationCommand</see>,
/// contracts/apple.md §3.5.
/// </summary>
public sealed record InstallApplicationCommand : MdmCommandPayload
{
    internal const string Type = "InstallApplication";

    /// <summary><c>Options.PurchaseMethod</c> 1: a VPP (Apps and Books) license assignment.</summary>
    public const int PurchaseMethodVpp = 1;
    /// <summary><c>ManagementFlags</c> bit: remove the app when the MDM profile is removed.</summary>
    public const int RemoveWithProfile = 1;
    /// <summary><c>ManagementFlags</c> bit: don't back up the app's data.</summary>
    public const int PreventBackup = 4;

    public override string RequestType => Type;

    /// <summary>The store app's adamId (plist <c>&lt;integer&gt;</c>).</summary>
    public long? ITunesStoreId { get; init; }
    /// <summary>Bundle id (e.g. to install a first-party app by VPP).</summary>
    public string? Identifier { get; init; }
    /// <summary>https URL of an enterprise app manifest plist.</summary>
    public string? ManifestUrl { get; init; }
    /// <summary>Written as <c>Options</c> → <c>PurchaseMethod</c>; 0 = free/legacy code, 1 = VPP.</summary>
    public int? PurchaseMethod { get; init; }
    public int? ManagementFlags { get; init; }
    /// <summary>Writes <c>ChangeManagementState = Managed</c>: take over a user-installed copy. Not in User Enrollment.</summary>
    public bool ChangeManagementStateToManaged { get; init; }
    /// <summary>macOS 11+ only.</summary>
    public bool? InstallAsManaged { get; init; }
    /// <summary>Managed app configuration.</summary>
    public PlistDictionary? Configuration { get; init; }

    /// <summary>A store app assigned through a VPP license.</summary>
    public static InstallApplicationCommand ForStoreApp(long adamId) => new() { ITunesStoreId = adamId, PurchaseMethod = PurchaseMethodVpp };

    internal override void WriteKeys(PlistDictionary command)
    {
        RequireExactlyOne("iTunesStoreID/Identifier/ManifestURL", ITunesStoreId, Identifier, ManifestUrl);
        command.AddIfNotNull("iTunesStoreID", ITunesStoreId)
            .AddIfNotNull("Identifier", Identifier)
            .AddIfNotNull("ManifestURL", ManifestUrl)
            .AddIfNotNull("Options", PurchaseMethod is { } method ? new PlistDictionary { { "PurchaseMethod", (long)method } } : null)
            .AddIfNotNull("ManagementFlags", (long?)ManagementFlags)
            .AddIfNotNull("ChangeManagementState", ChangeManagementStateToManaged ? "Managed" : null)
            .AddIfNotNull("InstallAsManaged", InstallAsManaged)
            .AddIfNotNull("Configuration", Configuration);
    }

    internal static InstallApplicationCommand Read(PlistDictionary dict)
    {
        var command = new InstallApplicationCommand
        {
            ITunesStoreId = dict.OptionalInteger("iTunesStoreID"),
            Identifier = dict.OptionalString("Identifier"),
            ManifestUrl = dict.OptionalString("ManifestURL"),
            PurchaseMethod = (int?)dict.OptionalDictionary("Options")?.OptionalInteger("PurchaseMethod"),
            ManagementFlags = (int?)dict.OptionalInteger("ManagementFlags"),
            ChangeManagementStateToManaged = dict.OptionalString("ChangeManagementState") switch
            {
                null => false,
                "Managed" => true,
                var other => throw MessageFields.Invalid("ChangeManagementState", other, "ChangeManagementState can only be 'Managed'."),
            },
            InstallAsManaged = dict.OptionalBoolean("InstallAsManaged"),
            Configuration = dict.OptionalDictionary("Configuration"),
        };
        ExpectExactlyOne("iTunesStoreID/Identifier/ManifestURL", command.ITunesStoreId, command.Identifier, command.ManifestUrl);
        return command;
    }
}
