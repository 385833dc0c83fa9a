using System.Globalization;
using System.Text;
using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Devices.Commands;

/// <summary>Values of <see cref="CommandRecord.Status"/>.</summary>
public static class CommandStatuses
{
    public const string Queued = "queued";
    public const string Sent = "sent";
    public const string Acknowledged = "acknowledged";
    public const string Error = "error";
    public const string NotNow = "notnow";
    public const string Expired = "expired";

    public static bool IsTerminal(string status) => status is Acknowledged or Error;
}

/// <summary>
/// One command in the <c>commands</c> table: PK = the channel's bucket, RK = "{channel}|{commandUuid}"
/// (<see cref="CommandKeys"/>): a channel's queue is one RowKey range read, ordered by
/// <see cref="EnqueuedAt"/> (FIFO); a report (channel + uuid) is one point read, and a report
/// naming another channel's command finds nothing.
/// </summary>
public sealed class CommandRecord
{
    /// <summary>Strings are stored as UTF-16 and a property holds 64 KiB: 32,000 characters per chunk.</summary>
    const int ChunkChars = 32_000;
    /// <summary>Chunks of the raw response kept (≈ 384,000 characters, well under the 1 MiB entity limit).</summary>
    const int MaxChunks = 12;

    public static string PartitionKeyFor(ChannelId channel) => CommandKeys.CommandPartition(channel);
    public static string RowKeyFor(ChannelId channel, string commandUuid) => CommandKeys.CommandRowKey(channel, commandUuid);

    public required ChannelId Channel { get; init; }
    public required string RowKey { get; init; }
    public required string CommandUuid { get; init; }
    public required string RequestType { get; init; }
    /// <summary>The envelope plist (CommandUUID + Command) exactly as the device receives it.</summary>
    public required string Payload { get; init; }
    public string Status { get; set; } = CommandStatuses.Queued;
    /// <summary>The device's own word for the outcome (Acknowledged, Error, CommandFormatError, NotNow).</summary>
    public string? ReportedStatus { get; set; }
    public int Attempts { get; set; }
    public string? Source { get; init; }
    /// <summary>The queue order: commands queued together get consecutive ticks, in their order (stored with 100 ns precision).</summary>
    public DateTimeOffset EnqueuedAt { get; init; }
    public DateTimeOffset? SentAt { get; set; }
    public DateTimeOffset? NotNowAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
    /// <summary>ErrorChain as JSON (array of {errorCode, errorDomain, localizedDescription, usEnglishDescription}).</summary>
    public string? ErrorChain { get; set; }
    /// <summary>The device's report body (XML plist), for query commands; cut at <see cref="MaxChunks"/> chunks.</summary>
    public string? Response { get; set; }
    public bool ResponseTruncated { get; set; }
    public ETag ETag { get; set; }

    public TableEntity ToEntity()
    {
        var entity = new TableEntity(PartitionKeyFor(Channel), RowKey)
        {
            ["CommandUuid"] = CommandUuid,
            ["RequestType"] = RequestType,
            ["Payload"] = Payload,
            ["Status"] = Status,
            ["ReportedStatus"] = ReportedStatus,
            ["Attempts"] = Attempts,
            ["Source"] = Source,
            ["EnqueuedAt"] = EnqueuedAt,
            ["SentAt"] = SentAt,
            ["NotNowAt"] = NotNowAt,
            ["CompletedAt"] = CompletedAt,
            ["ErrorChain"] = ErrorChain,
            ["ResponseTruncated"] = ResponseTruncated ? true : null,
        };
        WriteChunks(entity, Response);
        return entity;
    }

    public static CommandRecord FromEntity(TableEntity entity) => new()
    {
        Channel = CommandKeys.ChannelOf(entity.RowKey),
        RowKey = entity.RowKey,
        CommandUuid = entity.GetString("CommandUuid") ?? "",
        RequestType = entity.GetString("RequestType") ?? "",
        Payload = entity.GetString("Payload") ?? "",
        Status = entity.GetString("Status") ?? CommandStatuses.Queued,
        ReportedStatus = entity.GetString("ReportedStatus"),
        Attempts = entity.GetInt32("Attempts") ?? 0,
        Source = entity.GetString("Source"),
        EnqueuedAt = entity.GetDateTimeOffset("EnqueuedAt") ?? default,
        SentAt = entity.GetDateTimeOffset("SentAt"),
        NotNowAt = entity.GetDateTimeOffset("NotNowAt"),
        CompletedAt = entity.GetDateTimeOffset("CompletedAt"),
        ErrorChain = entity.GetString("ErrorChain"),
        Response = ReadChunks(entity),
        ResponseTruncated = entity.GetBoolean("ResponseTruncated") ?? false,
        ETag = entity.ETag,
    };

    /// <summary>Keeps the response, cut to what one entity can hold (<see cref="ResponseTruncated"/> says whether it was cut).</summary>
    public void SetResponse(string? response)
    {
        var limit = ChunkChars * MaxChunks;
        ResponseTruncated = response is { Length: > 0 } && response.Length > limit;
        Response = ResponseTruncated ? response![..limit] : response;
    }

    static void WriteChunks(TableEntity entity, string? text)
    {
        if (string.IsNullOrEmpty(text)) return;
        for (int i = 0, start = 0; start < text.Length && i < MaxChunks; i++, start += ChunkChars)
            entity[ChunkName(i)] = text.Substring(start, Math.Min(ChunkChars, text.Length - start));
    }

    static string? ReadChunks(TableEntity entity)
    {
        if (entity.GetString(ChunkName(0)) is not { } first) return null;
        var text = new StringBuilder(first);
        for (var i = 1; i < MaxChunks && entity.GetString(ChunkName(i)) is { } next; i++) text.Append(next);
        return text.ToString();
    }

    static string ChunkName(int index) => index == 0 ? "Response" : "Response" + index.ToString(CultureInfo.InvariantCulture);
}
