using System.Globalization;
using ManagedDistribution.Features.Devices.Protocol.Commands;
using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Assignments;

/// <summary>The MDM commands that deliver and remove assigned content (contracts/apple.md §3.5).</summary>
public static class AssignmentCommands
{
    /// <summary>Purchased app: iTunesStoreID + PurchaseMethod 1; internal app: ManifestURL; internal book: InstallMedia. Null when none applies.</summary>
    public static MdmCommandPayload? Install(ContentKind kind, TableEntity content) => kind switch
    {
        ContentKind.VppApp when long.TryParse(content.GetString("AdamId"), NumberStyles.None, CultureInfo.InvariantCulture, out var adamId) =>
            InstallApplicationCommand.ForStoreApp(adamId),
        ContentKind.InternalApp when content.GetString("ManifestUrl") is { } manifest => new InstallApplicationCommand { ManifestUrl = manifest },
        ContentKind.InternalBook when content.GetString("MediaUrl") is { } media => new InstallMediaCommand
        {
            MediaUrl = media, PersistentId = content.GetString("PersistentId"), Kind = content.GetString("Kind"),
            Title = content.GetString("Name"), Version = content.GetString("Version"),
        },
        _ => null,
    };

    /// <summary>The removal for an assignment row; null when we cannot name what to remove (a purchased app whose bundle id we do not know).</summary>
    public static MdmCommandPayload? Remove(ContentKind kind, TableEntity assignment) => kind switch
    {
        ContentKind.VppApp or ContentKind.InternalApp when assignment.GetString("BundleId") is { Length: > 0 } bundleId =>
            new RemoveApplicationCommand { Identifier = bundleId },
        ContentKind.InternalBook when assignment.GetString("PersistentId") is { Length: > 0 } persistentId =>
            new RemoveMediaCommand { PersistentId = persistentId },
        _ => null,
    };
}
