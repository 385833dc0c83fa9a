using System.Text.Json;
using System.Text.Json.Serialization;

namespace ManagedDistribution.Platform.Workflows;

/// <summary>
/// A chunk's queue message: <c>{"workflowId","chunk","attempt"}</c>, never a single recipient.
/// <see cref="Attempt"/> is the wave: 0 for the first run of the chunk, +1 per durable timer.
/// A wake (<see cref="WorkflowEngine.WakeChunkAsync"/>) carries <see cref="Woken"/> instead of a
/// meaningful attempt: run the chunk's next wave unless one started at or after that time.
/// </summary>
public sealed record WorkflowMessage(
    [property: JsonPropertyName("workflowId")] string WorkflowId,
    [property: JsonPropertyName("chunk")] int Chunk,
    [property: JsonPropertyName("attempt")] int Attempt,
    [property: JsonPropertyName("woken"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? Woken = null)
{
    public string ToJson() => JsonSerializer.Serialize(this);

    /// <summary>The message, or null when the text is not one (a poison-worthy message is logged and dropped).</summary>
    public static WorkflowMessage? TryParse(string text)
    {
        try
        {
            var message = JsonSerializer.Deserialize<WorkflowMessage>(text);
            return message is { WorkflowId.Length: > 0, Chunk: >= 0 } ? message : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
