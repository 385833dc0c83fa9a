using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Devices.Registry;

/// <summary>
/// A user channel (macOS user, Shared iPad user) in the <c>channels</c> table: PK = device id,
/// RK = "user:{userId}", so a device's user channels are one partition read. Its own push
/// token and push magic (secrets) wake that user's channel.
/// </summary>
public sealed class UserChannelRecord
{
    const string RowPrefix = "user:";

    public static string PartitionKeyFor(string deviceId) => deviceId;
    public static string RowKeyFor(string userId) => RowPrefix + userId;

    public required string DeviceId { get; init; }
    public required string UserId { get; init; }
    public string? UserShortName { get; set; }
    public string? UserLongName { get; set; }
    public string? Topic { get; set; }
    public byte[]? PushToken { get; set; }
    public string? PushMagic { get; set; }
    public bool TokenUsable { get; set; }
    public string? TokenUnusableReason { get; set; }
    public DateTimeOffset? TokenUpdatedAt { get; set; }
    public DateTimeOffset? LastCheckinAt { get; set; }
    /// <summary>When the channel last opened a command session (an Idle report); see CommandExchange.</summary>
    public DateTimeOffset? SessionStartedAt { get; set; }
    public ETag ETag { get; set; }

    public ChannelId Channel => new(DeviceId, UserId);

    public TableEntity ToEntity()
    {
        var entity = new TableEntity(PartitionKeyFor(DeviceId), RowKeyFor(UserId));
        entity["UserShortName"] = UserShortName;
        entity["UserLongName"] = UserLongName;
        entity["Topic"] = Topic;
        entity["PushToken"] = PushToken;
        entity["PushMagic"] = PushMagic;
        entity["TokenUsable"] = TokenUsable;
        entity["TokenUnusableReason"] = TokenUnusableReason;
        entity["TokenUpdatedAt"] = TokenUpdatedAt;
        entity["LastCheckinAt"] = LastCheckinAt;
        entity["SessionStartedAt"] = SessionStartedAt;
        return entity;
    }

    public static UserChannelRecord FromEntity(TableEntity entity) => new()
    {
        DeviceId = entity.PartitionKey,
        UserId = entity.RowKey.StartsWith(RowPrefix, StringComparison.Ordinal) ? entity.RowKey[RowPrefix.Length..] : entity.RowKey,
        UserShortName = entity.GetString("UserShortName"),
        UserLongName = entity.GetString("UserLongName"),
        Topic = entity.GetString("Topic"),
        PushToken = entity.GetBinary("PushToken"),
        PushMagic = entity.GetString("PushMagic"),
        TokenUsable = entity.GetBoolean("TokenUsable") ?? false,
        TokenUnusableReason = entity.GetString("TokenUnusableReason"),
        TokenUpdatedAt = entity.GetDateTimeOffset("TokenUpdatedAt"),
        LastCheckinAt = entity.GetDateTimeOffset("LastCheckinAt"),
        SessionStartedAt = entity.GetDateTimeOffset("SessionStartedAt"),
        ETag = entity.ETag,
    };
}
