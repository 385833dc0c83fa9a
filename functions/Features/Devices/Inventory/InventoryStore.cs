using ManagedDistribution.Features.Devices.Protocol.Commands;
using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Devices.Inventory;

/// <summary>A managed app as last reported by a device.</summary>
public sealed record InventoryApp(string BundleId, string? Status, long? ManagementFlags, bool? HasConfiguration, bool? HasFeedback,
    bool? IsValidated, long? ExternalVersionIdentifier, string Channel, DateTimeOffset? ReportedAt);

/// <summary>A managed book as last reported by a device.</summary>
public sealed record InventoryBook(string Id, long? ITunesStoreId, string? PersistentId, string? State, string? Kind, string? Version,
    string? Author, string? Title, string Channel, DateTimeOffset? ReportedAt);

/// <summary>
/// The <c>inventory</c> table: PK = device id, RK = "app:{bundleId}" / "book:{iTunesStoreID or PersistentID}",
/// so "what is on this device" is one partition read. Each report is a snapshot for its channel: rows
/// it no longer lists are deleted, the rest upserted. Being a projection of the device's own answer,
/// the writes are unconditional (the latest report wins).
/// </summary>
public sealed class InventoryStore(DeviceTables tables)
{
    const string AppPrefix = "app:";
    const string BookPrefix = "book:";
    const int BatchSize = 100;

    /// <summary>Replaces the channel's apps; a <paramref name="partial"/> answer (the query named bundle ids) only upserts.</summary>
    public Task ReplaceAppsAsync(ChannelId channel, IReadOnlyList<ManagedApplication> apps, bool partial, DateTimeOffset reportedAt,
        CancellationToken cancellationToken) =>
        ReplaceAsync(channel, AppPrefix, apps.Where(app => KeySafe(app.BundleId)).Select(app => new TableEntity(channel.DeviceId, AppPrefix + app.BundleId)
        {
            ["Channel"] = channel.ToString(),
            ["Status"] = app.Status,
            ["ManagementFlags"] = app.ManagementFlags,
            ["HasConfiguration"] = app.HasConfiguration,
            ["HasFeedback"] = app.HasFeedback,
            ["IsValidated"] = app.IsValidated,
            ["ExternalVersionIdentifier"] = app.ExternalVersionIdentifier,
            ["ReportedAt"] = reportedAt,
        }).ToList(), partial, cancellationToken);

    public Task ReplaceBooksAsync(ChannelId channel, IReadOnlyList<ManagedBook> books, DateTimeOffset reportedAt, CancellationToken cancellationToken) =>
        ReplaceAsync(channel, BookPrefix, books
            .Select(book => (Id: book.ITunesStoreId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? book.PersistentId, Book: book))
            .Where(item => item.Id is not null && KeySafe(item.Id))
            .Select(item => new TableEntity(channel.DeviceId, BookPrefix + item.Id)
            {
                ["Channel"] = channel.ToString(),
                ["ITunesStoreId"] = item.Book.ITunesStoreId,
                ["PersistentId"] = item.Book.PersistentId,
                ["State"] = item.Book.State,
                ["Kind"] = item.Book.Kind,
                ["Version"] = item.Book.Version,
                ["Author"] = item.Book.Author,
                ["Title"] = item.Book.Title,
                ["ReportedAt"] = reportedAt,
            }).ToList(), partial: false, cancellationToken);

    public async Task<(IReadOnlyList<InventoryApp> Apps, IReadOnlyList<InventoryBook> Books)> ListAsync(string deviceId, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        var apps = new List<InventoryApp>();
        var books = new List<InventoryBook>();
        await foreach (var row in tables.Inventory.QueryAsync(TableFilter.PartitionKey.Eq(deviceId), cancellationToken: cancellationToken))
        {
            var channel = row.GetString("Channel") ?? deviceId;
            if (row.RowKey.StartsWith(AppPrefix, StringComparison.Ordinal))
                apps.Add(new(row.RowKey[AppPrefix.Length..], row.GetString("Status"), row.GetInt64("ManagementFlags"), row.GetBoolean("HasConfiguration"),
                    row.GetBoolean("HasFeedback"), row.GetBoolean("IsValidated"), row.GetInt64("ExternalVersionIdentifier"), channel, row.GetDateTimeOffset("ReportedAt")));
            else if (row.RowKey.StartsWith(BookPrefix, StringComparison.Ordinal))
                books.Add(new(row.RowKey[BookPrefix.Length..], row.GetInt64("ITunesStoreId"), row.GetString("PersistentId"), row.GetString("State"),
                    row.GetString("Kind"), row.GetString("Version"), row.GetString("Author"), row.GetString("Title"), channel, row.GetDateTimeOffset("ReportedAt")));
        }
        return (apps, books);
    }

    async Task ReplaceAsync(ChannelId channel, string prefix, IReadOnlyList<TableEntity> rows, bool partial, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        var actions = new List<TableTransactionAction>();
        if (!partial)
        {
            var reported = rows.Select(row => row.RowKey).ToHashSet(StringComparer.Ordinal);
            // RowKey range [prefix, prefix with its last character bumped): every key that starts with the prefix.
            var range = TableFilter.PartitionKey.Eq(channel.DeviceId)
                & TableFilter.RowKey.Ge(prefix) & TableFilter.RowKey.Lt(prefix[..^1] + (char)(prefix[^1] + 1));
            await foreach (var old in tables.Inventory.QueryAsync(range, select: ["PartitionKey", "RowKey", "Channel"], cancellationToken: cancellationToken))
                if (!reported.Contains(old.RowKey) && (old.GetString("Channel") ?? channel.DeviceId) == channel.ToString())
                    actions.Add(new(TableTransactionActionType.Delete, old, ETag.All));
        }
        actions.AddRange(rows.DistinctBy(row => row.RowKey).Select(row => new TableTransactionAction(TableTransactionActionType.UpsertReplace, row)));
        foreach (var batch in actions.Chunk(BatchSize))
            await tables.Inventory.SubmitTransactionAsync(batch, cancellationToken);
    }

    static bool KeySafe(string key) =>
        key.Length is > 0 and <= 512 && !key.Any(c => c is '/' or '\\' or '#' or '?' || char.IsControl(c));
}
