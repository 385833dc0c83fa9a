using System.Buffers.Text;
using System.Globalization;
using System.Text;
using ManagedDistribution.Features.Devices.Registry;
using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Devices.Admin;

/// <summary>
/// The device listing's opaque continuation token: base64url of the bucket table to go on in and
/// the service's next partition and row key inside it (both empty: from the table's start).
/// Clients pass it back verbatim; anything else is refused as a bad request.
/// </summary>
public static class DeviceListTokens
{
    const string Version = "d1";

    public static string? Encode(DeviceListPosition? position) => position is null ? null
        : Base64Url.EncodeToString(Encoding.UTF8.GetBytes(string.Join('\n', Version, position.Table.ToString(CultureInfo.InvariantCulture),
            position.Continuation?.NextPartitionKey ?? "", position.Continuation?.NextRowKey ?? "")));

    public static bool TryDecode(string? text, out DeviceListPosition? position)
    {
        position = null;
        if (string.IsNullOrEmpty(text)) return true;
        try
        {
            var parts = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(text)).Split('\n');
            if (parts is not [Version, var table, var partitionKey, var rowKey]
                || !int.TryParse(table, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n >= DeviceRecordTables.Count
                || (partitionKey.Length == 0 && rowKey.Length > 0))
                return false;
            position = new DeviceListPosition(n, partitionKey.Length == 0 ? null : new TableContinuationToken(partitionKey, rowKey.Length == 0 ? null : rowKey));
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
