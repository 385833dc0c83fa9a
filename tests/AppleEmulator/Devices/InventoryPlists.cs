using ManagedDistribution.Features.Devices.Protocol.Plist;

namespace ManagedDistribution.AppleEmulator.Devices;

/// <summary>
/// Response values of the query commands, shaped as Apple documents them:
/// <see href="https://developer.apple.com/documentation/devicemanagement/managedapplicationlistresponse">ManagedApplicationListResponse</see>,
/// <see href="https://developer.apple.com/documentation/devicemanagement/managedmedialistresponse">ManagedMediaListResponse</see>.
/// </summary>
static class InventoryPlists
{
    public static PlistDictionary Apps(DeviceInventory inventory, IReadOnlyList<string>? identifiers)
    {
        var list = new PlistDictionary();
        foreach (var app in inventory.Apps)
        {
            if (identifiers is not null && !identifiers.Contains(app.BundleId, StringComparer.Ordinal)) continue;
            list.Add(app.BundleId, new PlistDictionary
            {
                { "Status", app.Status },
                { "ManagementFlags", app.ManagementFlags },
                { "HasConfiguration", app.HasConfiguration },
                { "HasFeedback", false },
                { "IsValidated", true },
                { "ExternalVersionIdentifier", 800_000_000L + (app.ITunesStoreId ?? 0) % 100_000_000 },
            });
        }
        return list;
    }

    public static List<object> Books(DeviceInventory inventory) =>
        inventory.Books.Select(book => (object)new PlistDictionary()
            .AddIfNotNull("iTunesStoreID", book.ITunesStoreId)
            .AddIfNotNull("PersistentID", book.PersistentId)
            .AddIfNotNull("State", book.State)
            .AddIfNotNull("Kind", book.Kind)
            .AddIfNotNull("Version", book.Version)
            .AddIfNotNull("Author", book.Author)
            .AddIfNotNull("Title", book.Title))
            .ToList();

    public static PlistDictionary DeviceInformation(SimulatedDevice device) => new()
    {
        { "UDID", device.Udid },
        { "SerialNumber", device.SerialNumber },
        { "DeviceName", device.DeviceName },
        { "ProductName", device.Model.ProductName },
        { "ModelName", device.Model.ModelName },
        { "OSVersion", device.Model.OSVersion },
        { "BuildVersion", device.Model.BuildVersion },
    };
}
