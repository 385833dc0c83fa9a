using System.Globalization;
using System.Text;

namespace ManagedDistribution.Features.Devices.Commands;

/// <summary>
/// Keys of the command tables. Rows of many channels share a bucket partition, so queueing one
/// command on thousands of channels is 100-row transactions instead of two single writes per
/// channel (Azurite's point operations walk their partition, so buckets stay at hundreds to a few
/// thousand rows; on Azure partitions cost nothing either way):
/// <list type="bullet">
/// <item><c>commands</c>: PK = <see cref="CommandPartition"/> (bucket of the channel), RK =
/// <c>{channel}|{enqueuedTicks:D19}-{uuid}</c>, so a channel's FIFO queue is one RowKey range of one partition.</item>
/// <item><c>commandsbyuuid</c>: PK = <see cref="IndexPartition"/> (bucket of the uuid), RK = uuid.</item>
/// </list>
/// The buckets are FNV-1a (32-bit) of the UTF-8 key modulo <see cref="Buckets"/>, as two hex digits.
/// Never change them: stored rows depend on them.
/// </summary>
public static class CommandKeys
{
    /// <summary>Partitions per table: ≈ 200 channels per partition at 50,000 devices, so a bulk enqueue fills 100-row transactions.</summary>
    public const int Buckets = 256;

    /// <summary>Separates the channel from the rest of a command row key; the range of a channel ends just before <see cref="RangeEnd"/>.</summary>
    const char Separator = '|';
    const char RangeEnd = '}'; // '|' + 1

    public static string CommandPartition(ChannelId channel) => Bucket(channel.ToString());

    public static string IndexPartition(string commandUuid) => Bucket(commandUuid);

    public static string CommandRowKey(ChannelId channel, DateTimeOffset enqueuedAt, long sequence, string commandUuid) =>
        $"{channel}{Separator}{(enqueuedAt.UtcTicks + sequence).ToString("D19", CultureInfo.InvariantCulture)}-{commandUuid}";

    /// <summary>The RowKeys of a channel's commands are ≥ <c>From</c> and &lt; <c>To</c> (other channels may share the partition).</summary>
    public static (string From, string To) ChannelRange(ChannelId channel) => ($"{channel}{Separator}", $"{channel}{RangeEnd}");

    /// <summary>The channel a command row key names (ticks and uuid never hold the separator, a channel id might).</summary>
    public static ChannelId ChannelOf(string commandRowKey)
    {
        var at = commandRowKey.LastIndexOf(Separator);
        if (at < 0) throw new FormatException($"'{commandRowKey}' is not a command row key.");
        return ChannelId.Parse(commandRowKey[..at]);
    }

    /// <summary>Whether the row key (one of <see cref="ChannelRange"/>) is the channel's own, not of a channel whose id continues with the separator.</summary>
    public static bool IsOf(string commandRowKey, ChannelId channel)
    {
        var at = commandRowKey.LastIndexOf(Separator);
        return at >= 0 && commandRowKey.AsSpan(0, at).SequenceEqual(channel.ToString());
    }

    static string Bucket(string key)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(key)) hash = (hash ^ b) * 16777619u;
        return (hash % Buckets).ToString("x2", CultureInfo.InvariantCulture);
    }
}
