using System.Collections.Concurrent;

namespace ManagedDistribution.AppleEmulator.Devices;

/// <summary>
/// The managed apps and books a simulated device holds: a couple present from the start (so a
/// fresh device's inventory is not empty) plus what InstallApplication / InstallMedia added.
/// Installs complete at once: the next list shows the app Managed and the book Installed.
/// </summary>
public sealed class DeviceInventory
{
    readonly ConcurrentDictionary<string, ManagedAppState> apps = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, ManagedBookState> books = new(StringComparer.Ordinal);

    public IReadOnlyCollection<ManagedAppState> Apps => apps.Values.OrderBy(a => a.BundleId, StringComparer.Ordinal).ToArray();
    public IReadOnlyCollection<ManagedBookState> Books => books.Values.OrderBy(b => b.Key, StringComparer.Ordinal).ToArray();

    internal static DeviceInventory Preloaded(DeviceModel model)
    {
        var inventory = new DeviceInventory();
        var (pages, keynote) = model.IsMac ? ("com.apple.iWork.Pages", "com.apple.iWork.Keynote") : ("com.apple.Pages", "com.apple.Keynote");
        inventory.AddApp(new ManagedAppState(pages, 361309726, "Managed", ManagementFlags: 1));
        inventory.AddApp(new ManagedAppState(keynote, 361285480, "Managed", ManagementFlags: 1));
        if (!model.IsMac)
            inventory.AddBook(new ManagedBookState(1434186066, null, "Installed", "epub", "1.0", "Apple Education", "Everyone Can Code"));
        return inventory;
    }

    public void AddApp(ManagedAppState app) => apps[app.BundleId] = app;

    public bool RemoveApp(string bundleId) => apps.TryRemove(bundleId, out _);

    public void AddBook(ManagedBookState book) => books[book.Key] = book;

    public bool RemoveBook(long? iTunesStoreId, string? persistentId) =>
        books.TryRemove(ManagedBookState.KeyOf(iTunesStoreId, persistentId), out _);
}

/// <summary>A managed app as ManagedApplicationList reports it.</summary>
public sealed record ManagedAppState(string BundleId, long? ITunesStoreId, string Status, long ManagementFlags = 0, bool HasConfiguration = false);

/// <summary>A book as ManagedMediaList reports it (store books report Installed).</summary>
public sealed record ManagedBookState(long? ITunesStoreId, string? PersistentId, string State, string? Kind = null,
    string? Version = null, string? Author = null, string? Title = null)
{
    public string Key => KeyOf(ITunesStoreId, PersistentId);

    internal static string KeyOf(long? iTunesStoreId, string? persistentId) =>
        iTunesStoreId is { } id ? "store:" + id : "persistent:" + persistentId;
}
