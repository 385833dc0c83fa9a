using System.Text.Json;
using System.Text.Json.Serialization;

namespace ManagedDistribution.Features.Invitations.Campaigns;

/// <summary>One device channel a device invitation goes to, with the device's name for task views.</summary>
public sealed record RecipientChannel(string Channel, string DeviceName);

/// <summary>
/// A recipient's managed-distribution state as the plan read it: its ETag, so the first wave can
/// claim the user with one conditional write and no read (any change since fails the condition
/// and the user is re-read), and what sending needs (invite code) or a give-back restores.
/// </summary>
public sealed record PlannedState(string ETag, EnrolmentStatus Status, string? InviteCode, DateTimeOffset? InvitedAt, string? InvitedBy)
{
    public static PlannedState? From(ManagedDistributionState state) =>
        state.ETag.IsEmpty ? null : new(state.ETag.ToString(), state.Status, state.InviteCode, state.InvitedAt, state.InvitedBy);

    /// <summary>The state as planned (only what a recipient's sending reads: planned recipients are enabled).</summary>
    public ManagedDistributionState ToState(string userId) => new()
    {
        UserId = userId, Enabled = true, Status = Status, InviteCode = InviteCode, InvitedAt = InvitedAt, InvitedBy = InvitedBy,
        ETag = new Platform.Storage.ETag(ETag),
    };
}

/// <summary>
/// The payload of one campaign item (JSON in the item's <c>Data</c>): what sending needs without
/// re-reading the directory (address, name, language, channels), why it is skipped, and after
/// sending the command UUIDs to recognise the device's acknowledgement.
/// </summary>
public sealed record RecipientData
{
    public InvitationChannel Channel { get; init; }
    public string? Email { get; init; }
    public string FullName { get; init; } = "";
    public string? Language { get; init; }
    public IReadOnlyList<RecipientChannel> Channels { get; init; } = [];
    /// <summary>Set at planning: the item is closed as <c>skipped-{Skip}</c> on its first wave.</summary>
    public string? Skip { get; init; }
    /// <summary>A single-user invitation already sent by the request: the item only follows it.</summary>
    public bool PreSent { get; init; }
    public IReadOnlyList<string> CommandUuids { get; init; } = [];
    /// <summary>Set at planning for recipients: the state they were planned on (see <see cref="PlannedState"/>).</summary>
    public PlannedState? Planned { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this, RecipientJson.Default.RecipientData);

    public static RecipientData Parse(string? json) =>
        json is null ? new RecipientData() : JsonSerializer.Deserialize(json, RecipientJson.Default.RecipientData) ?? new RecipientData();
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault)]
[JsonSerializable(typeof(RecipientData))]
sealed partial class RecipientJson : JsonSerializerContext;
