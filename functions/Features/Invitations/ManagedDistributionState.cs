using System.Text.Json.Serialization;
using ManagedDistribution.Features.Directory;
using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Invitations;

/// <summary>Where a user stands in managed distribution (R11, R14).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<EnrolmentStatus>))]
public enum EnrolmentStatus
{
    [JsonStringEnumMemberName("notInvited")] NotInvited,
    [JsonStringEnumMemberName("invited")] Invited,
    [JsonStringEnumMemberName("enrolled")] Enrolled,
    [JsonStringEnumMemberName("retired")] Retired,
}

/// <summary>A user's managed-distribution state as the API shows it.</summary>
public sealed record ManagedDistributionDto(bool Enabled, EnrolmentStatus Status, DateTimeOffset? InvitedAt, DateTimeOffset? EnrolledAt)
{
    /// <summary>The same state in the directory's shape, for the user resource.</summary>
    public UserManagedDistribution ForUserResource() => new(Enabled, Status switch
    {
        EnrolmentStatus.Invited => "invited",
        EnrolmentStatus.Enrolled => "enrolled",
        EnrolmentStatus.Retired => "retired",
        _ => "notInvited",
    }, InvitedAt, EnrolledAt);
}

/// <summary>
/// One row of the <c>manageddistribution{bucket}</c> tables (<see cref="ManagedDistributionLayout"/>), RK = user id.
/// Kept apart from the users table so the directory owns its rows alone. The invite code is
/// Apple's; the invitation URL is rebuilt from Service Config each time it is sent.
/// </summary>
public sealed record ManagedDistributionState
{
    public required string UserId { get; init; }
    public bool Enabled { get; init; }
    public EnrolmentStatus Status { get; init; } = EnrolmentStatus.NotInvited;
    public string? InviteCode { get; init; }
    public string? LocationId { get; init; }
    public DateTimeOffset? InvitedAt { get; init; }
    public DateTimeOffset? EnrolledAt { get; init; }
    public DateTimeOffset? RetiredAt { get; init; }
    /// <summary>The campaign (workflow id) that last invited the user: its own redelivery resends, another campaign skips.</summary>
    public string? InvitedBy { get; init; }
    /// <summary>The chunk of <see cref="InvitedBy"/> holding the user's item: an enrolment or a device's answer wakes that chunk (<see cref="Campaigns.CampaignWakeups"/>).</summary>
    public int? InvitedChunk { get; init; }
    /// <summary>The last InviteToProgram result for the user (acknowledged, error, expired), its command and error.</summary>
    public string? DeliveryStatus { get; init; }
    public string? DeliveryCommandUuid { get; init; }
    public string? DeliveryError { get; init; }
    /// <summary>When <see cref="DeliveryStatus"/> was recorded: an acknowledgement since <see cref="InvitedAt"/> is not replaced by another device's error.</summary>
    public DateTimeOffset? DeliveredAt { get; init; }
    /// <summary>
    /// The last status (enrolled, retired) whose listeners all ran: written after them
    /// (<see cref="Acceptance.EnrolmentUpdates"/>), so a status without it was stored by a process
    /// that died before its announcement finished, and Apple's next report of the user announces it.
    /// </summary>
    public EnrolmentStatus? AnnouncedStatus { get; init; }
    public ETag ETag { get; init; }

    public static ManagedDistributionState NotEnabled(string userId) => new() { UserId = userId };

    public ManagedDistributionDto ToDto() => new(Enabled, Status, InvitedAt, EnrolledAt);

    public TableEntity ToEntity() => new(ManagedDistributionLayout.PartitionKeyFor(UserId), UserId)
    {
        ["Enabled"] = Enabled,
        ["Status"] = Status.ToString(),
        ["InviteCode"] = InviteCode,
        ["LocationId"] = LocationId,
        ["InvitedAt"] = InvitedAt,
        ["EnrolledAt"] = EnrolledAt,
        ["RetiredAt"] = RetiredAt,
        ["InvitedBy"] = InvitedBy,
        ["InvitedChunk"] = InvitedChunk,
        ["DeliveryStatus"] = DeliveryStatus,
        ["DeliveryCommandUuid"] = DeliveryCommandUuid,
        ["DeliveryError"] = DeliveryError,
        ["DeliveredAt"] = DeliveredAt,
        ["AnnouncedStatus"] = AnnouncedStatus?.ToString(),
    };

    public static ManagedDistributionState Read(TableEntity e) => new()
    {
        UserId = e.RowKey,
        Enabled = e.GetBoolean("Enabled") ?? false,
        Status = Enum.TryParse<EnrolmentStatus>(e.GetString("Status"), out var status) ? status : EnrolmentStatus.NotInvited,
        InviteCode = e.GetString("InviteCode"),
        LocationId = e.GetString("LocationId"),
        InvitedAt = e.GetDateTimeOffset("InvitedAt"),
        EnrolledAt = e.GetDateTimeOffset("EnrolledAt"),
        RetiredAt = e.GetDateTimeOffset("RetiredAt"),
        InvitedBy = e.GetString("InvitedBy"),
        InvitedChunk = e.GetInt32("InvitedChunk"),
        DeliveryStatus = e.GetString("DeliveryStatus"),
        DeliveryCommandUuid = e.GetString("DeliveryCommandUuid"),
        DeliveryError = e.GetString("DeliveryError"),
        DeliveredAt = e.GetDateTimeOffset("DeliveredAt"),
        AnnouncedStatus = Enum.TryParse<EnrolmentStatus>(e.GetString("AnnouncedStatus"), out var announced) ? announced : null,
        ETag = e.ETag,
    };
}
