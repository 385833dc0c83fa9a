using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ManagedDistribution.Platform.Hosting;

/// <summary>
/// The custom-handler request body <c>{"Data":{...},"Metadata":{...}}</c> for queue and timer
/// invocations (contracts/azure.md §1.4). Pure parsing, no I/O. The host builds it with
/// Newtonsoft from loosely typed values, so every read is defensive and case-insensitive.
/// </summary>
public static class InvocationEnvelope
{
    public static QueueInvocation ReadQueue(JsonElement body, QueueFunction function, string invocationId)
    {
        var trigger = TriggerValue(body, function.BindingName);
        var metadata = Property(body, "Metadata");
        return new QueueInvocation(
            function.Name,
            invocationId,
            DecodeMessageText(trigger),
            Number(Property(metadata, "DequeueCount")) ?? 1,
            Text(Property(metadata, "Id")),
            Time(Property(metadata, "InsertionTime")));
    }

    public static TimerInvocation ReadTimer(JsonElement body, TimerFunction function, string invocationId, DateTimeOffset now)
    {
        var timer = TriggerValue(body, function.BindingName);
        if (timer?.ValueKind == JsonValueKind.String) timer = JsonDocument.Parse(timer.Value.GetString()!).RootElement;
        var status = Property(timer, "ScheduleStatus");
        return new TimerInvocation(
            function.Name,
            invocationId,
            now,
            Property(timer, "IsPastDue")?.ValueKind == JsonValueKind.True,
            status?.ValueKind == JsonValueKind.Object
                ? new TimerScheduleStatus(Time(Property(status, "Last")), Time(Property(status, "Next")), Time(Property(status, "LastUpdated")))
                : null);
    }

    /// <summary>
    /// The host serializes a queue message string once more before putting it in <c>Data</c>, so
    /// <c>hello</c> arrives as <c>"\"hello\""</c> (§1.4). Read the JSON string, and if its content
    /// is itself a JSON string literal, decode once more. Objects (a host that passes JSON messages
    /// through as objects) are returned as raw JSON text.
    /// </summary>
    public static string DecodeMessageText(JsonElement? value)
    {
        if (value is not { } element) throw new InvalidInvocationException("The invocation has no trigger value in Data.");
        if (element.ValueKind != JsonValueKind.String) return element.GetRawText();
        var text = element.GetString()!;
        if (text.Length >= 2 && text[0] == '"' && text[^1] == '"')
        {
            try { return JsonSerializer.Deserialize<string>(text) ?? text; }
            catch (JsonException) { }
        }
        return text;
    }

    /// <summary>Data.&lt;bindingName&gt;, or the only entry of Data when the binding is named differently.</summary>
    static JsonElement? TriggerValue(JsonElement body, string bindingName)
    {
        var data = Property(body, "Data");
        if (data?.ValueKind != JsonValueKind.Object) throw new InvalidInvocationException("The invocation body has no Data object.");
        if (Property(data, bindingName) is { } named) return named;
        var entries = data.Value.EnumerateObject().ToList();
        return entries.Count == 1 ? entries[0].Value : null;
    }

    static JsonElement? Property(JsonElement? element, string name)
    {
        if (element?.ValueKind != JsonValueKind.Object) return null;
        foreach (var property in element.Value.EnumerateObject())
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase) && property.Value.ValueKind != JsonValueKind.Null)
                return property.Value;
        return null;
    }

    static long? Number(JsonElement? e) => e?.ValueKind switch
    {
        JsonValueKind.Number => e.Value.GetInt64(),
        JsonValueKind.String when long.TryParse(e.Value.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) => n,
        _ => null,
    };

    static string? Text(JsonElement? e) => e?.ValueKind == JsonValueKind.String ? e.Value.GetString() : e?.GetRawText();

    static DateTimeOffset? Time(JsonElement? e) =>
        e?.ValueKind == JsonValueKind.String && DateTimeOffset.TryParse(e.Value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;
}

/// <summary>The request is not a usable invocation envelope (answered 400; the host never sends one).</summary>
public sealed class InvalidInvocationException(string message) : Exception(message);

/// <summary>
/// The custom-handler response (contracts/azure.md §1.5). The host requires 2xx for success; any
/// other status fails the invocation, which is what drives queue retries and the poison queue.
/// Property names are PascalCase on the wire whatever the app's JSON naming policy is.
/// </summary>
public sealed record InvocationResult(
    [property: JsonPropertyName("Outputs")] IReadOnlyDictionary<string, object?> Outputs,
    [property: JsonPropertyName("Logs")] IReadOnlyList<string> Logs,
    [property: JsonPropertyName("ReturnValue"), JsonIgnore(Condition = JsonIgnoreCondition.Never)] object? ReturnValue)
{
    public static InvocationResult WithLogs(params string[] logs) => new(new Dictionary<string, object?>(), logs, null);
}
