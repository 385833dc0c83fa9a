using System.Globalization;
using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Devices.Commands;

/// <summary>
/// Keys of the <c>commands</c> table: PK = <see cref="CommandPartition"/>, the channel's bucket
/// (FNV-1a, 32-bit, of the UTF-8 channel id modulo <see cref="Buckets"/>, as two hex digits; never
/// change it: stored rows depend on it), RK = <c>{channel}|{uuid}</c>. So:
/// <list type="bullet">
/// <item>rows of many channels share a partition: queueing a command on thousands of channels is
/// 100-row transactions instead of single writes (Azurite's point operations walk their partition,
/// so a bucket holds ≈ 200 channels at 50,000 devices; on Azure partitions cost nothing either way);</item>
/// <item>a channel's queue is one RowKey range of one partition (FIFO by <c>EnqueuedAt</c>);</item>
/// <item>a device's report (channel + uuid) names its row: one point read, no index table; a
/// uuid of another channel's command is simply not found;</item>
/// <item>a retried idempotent enqueue (same uuids) writes the same keys: a conflict means "already there".</item>
/// </list>
/// </summary>
public static class CommandKeys
{
    /// <summary>Partitions: ≈ 200 channels per partition at 50,000 devices, so a bulk enqueue fills 100-row transactions.</summary>
    public const int Buckets = 256;

    /// <summary>Separates the channel from the rest of a command row key; the range of a channel ends just before <see cref="RangeEnd"/>.</summary>
    const char Separator = '|';
    const char RangeEnd = '}'; // '|' + 1

    public static string CommandPartition(ChannelId channel) => Bucket(channel.ToString());

    public static string CommandRowKey(ChannelId channel, string commandUuid) => $"{channel}{Separator}{commandUuid}";

    /// <summary>The RowKeys of a channel's commands are ≥ <c>From</c> and &lt; <c>To</c> (other channels may share the partition).</summary>
    public static (string From, string To) ChannelRange(ChannelId channel) => ($"{channel}{Separator}", $"{channel}{RangeEnd}");

    /// <summary>The channel a command row key names (our uuids never hold the separator, a channel id might).</summary>
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

    static string Bucket(string key) => StableHash.Bucket(key, Buckets).ToString("x2", CultureInfo.InvariantCulture);
}
