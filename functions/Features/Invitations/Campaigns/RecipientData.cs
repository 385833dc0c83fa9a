using System.Text.Json;
using System.Text.Json.Serialization;

namespace ManagedDistribution.Features.Invitations.Campaigns;

/// <summary>One device channel a device invitation goes to, with the device's name for task views.</summary>
public sealed record RecipientChannel(string Channel, string DeviceName);

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

    public string ToJson() => JsonSerializer.Serialize(this, RecipientJson.Default.RecipientData);

    public static RecipientData Parse(string? json) =>
        json is null ? new RecipientData() : JsonSerializer.Deserialize(json, RecipientJson.Default.RecipientData) ?? new RecipientData();
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault)]
[JsonSerializable(typeof(RecipientData))]
sealed partial class RecipientJson : JsonSerializerContext;
