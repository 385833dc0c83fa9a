using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace ManagedDistribution.Platform.Storage;

/// <summary>
/// The JSON wire format of an entity (OData v3 "minimalmetadata"): values plus
/// <c>Name@odata.type</c> annotations for Int64, Double, DateTime, Guid and Binary. Pure: no I/O.
/// See https://learn.microsoft.com/rest/api/storageservices/payload-format-for-table-service-operations .
/// </summary>
static class TableEntityJson
{
    const string TypeSuffix = "@odata.type";
    const string DateTimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    public static byte[] Serialize(TableEntity entity, bool includeKeys = true)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        Serialize(entity, buffer, includeKeys);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes the entity's JSON to <paramref name="output"/> (a transaction body).</summary>
    public static void Serialize(TableEntity entity, IBufferWriter<byte> output, bool includeKeys = true)
    {
        using (var writer = new Utf8JsonWriter(output))
        {
            writer.WriteStartObject();
            if (includeKeys)
            {
                writer.WriteString("PartitionKey", entity.PartitionKey);
                writer.WriteString("RowKey", entity.RowKey);
            }
            foreach (var (name, value) in entity) WriteProperty(writer, name, value);
            writer.WriteEndObject();
        }
    }

    static void WriteProperty(Utf8JsonWriter writer, string name, object value)
    {
        switch (value)
        {
            case string s: writer.WriteString(name, s); break;
            case int i: writer.WriteNumber(name, i); break;
            case bool b: writer.WriteBoolean(name, b); break;
            case long l:
                writer.WriteString(name + TypeSuffix, "Edm.Int64");
                writer.WriteString(name, l.ToString(CultureInfo.InvariantCulture));
                break;
            case double d:
                // Always annotated: a whole number would otherwise be stored as Int32.
                writer.WriteString(name + TypeSuffix, "Edm.Double");
                if (double.IsFinite(d)) writer.WriteNumber(name, d);
                else writer.WriteString(name, double.IsNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
                break;
            case DateTimeOffset t:
                writer.WriteString(name + TypeSuffix, "Edm.DateTime");
                writer.WriteString(name, FormatDateTime(t));
                break;
            case Guid g:
                writer.WriteString(name + TypeSuffix, "Edm.Guid");
                writer.WriteString(name, g.ToString("D"));
                break;
            case byte[] bytes:
                writer.WriteString(name + TypeSuffix, "Edm.Binary");
                writer.WriteBase64String(name, bytes);
                break;
            default:
                throw new InvalidOperationException($"Unsupported table property type {value.GetType().Name}.");
        }
    }

    /// <summary>
    /// Reads one entity object from a response (single entity or an element of <c>value</c>) in one
    /// pass: the service writes each <c>Name@odata.type</c> just before its value, so the pending
    /// annotation is usually the one wanted; one that comes after its value re-reads that value.
    /// Queries return hundreds of thousands of these in a campaign plan, so no per-property lookups
    /// or string concatenation.
    /// </summary>
    public static TableEntity Read(JsonElement json)
    {
        var entity = new TableEntity();
        List<(string Name, string? Type)>? annotations = null;
        foreach (var property in json.EnumerateObject())
        {
            var name = property.Name;
            if (name.EndsWith(TypeSuffix, StringComparison.Ordinal))
            {
                var of = name[..^TypeSuffix.Length];
                (annotations ??= []).Add((of, property.Value.GetString()));
                if (entity.ContainsKey(of) && json.TryGetProperty(of, out var earlier) && ReadValue(earlier, annotations[^1].Type) is { } typed)
                    entity[of] = typed; // the annotation came after its value
            }
            else if (name == "odata.etag") entity.ETag = new ETag(property.Value.GetString() ?? "");
            else if (name == "PartitionKey") entity.PartitionKey = property.Value.GetString() ?? "";
            else if (name == "RowKey") entity.RowKey = property.Value.GetString() ?? "";
            else if (name == "Timestamp") entity.Timestamp = ReadDateTime(property.Value);
            else if (!name.StartsWith("odata.", StringComparison.Ordinal) && !name.Contains('@'))
            {
                var value = ReadValue(property.Value, TypeOf(annotations, name));
                if (value is not null) entity[name] = value;
            }
        }
        return entity;
    }

    static string? TypeOf(List<(string Name, string? Type)>? annotations, string name)
    {
        if (annotations is null) return null;
        for (var i = annotations.Count - 1; i >= 0; i--)
            if (annotations[i].Name == name) return annotations[i].Type;
        return null;
    }

    /// <summary>
    /// The fast ISO 8601 reader of System.Text.Json first (the service writes UTC with <c>Z</c>), else
    /// the lenient parse, which also reads a time without offset as UTC (the fast one would take it as local).
    /// </summary>
    static DateTimeOffset? ReadDateTime(JsonElement value) =>
        value.ValueKind != JsonValueKind.String ? null
        : value.TryGetDateTimeOffset(out var fast) && fast.Offset == TimeSpan.Zero ? fast
        : TryParseDateTime(value.GetString(), out var t) ? t : null;

    static object? ReadValue(JsonElement value, string? edmType)
    {
        if (value.ValueKind == JsonValueKind.Null) return null;
        var text = value.ValueKind == JsonValueKind.String ? value.GetString()! : null;
        return edmType switch
        {
            "Edm.Int64" => text is null ? value.GetInt64() : long.Parse(text, CultureInfo.InvariantCulture),
            "Edm.Int32" => value.GetInt32(),
            "Edm.Double" => text is null ? value.GetDouble() : ParseDouble(text),
            "Edm.DateTime" => ReadDateTime(value) ?? throw new FormatException($"Bad Edm.DateTime '{text}'."),
            "Edm.Guid" => Guid.Parse(text!),
            "Edm.Binary" => Convert.FromBase64String(text!),
            "Edm.Boolean" => value.GetBoolean(),
            _ => value.ValueKind switch
            {
                JsonValueKind.String => text,
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                // Whole numbers without a type are Int32; the service echoes doubles as e.g. "3.0".
                JsonValueKind.Number when value.TryGetInt32(out var i) && !value.GetRawText().AsSpan().ContainsAny('.', 'e', 'E') => i,
                JsonValueKind.Number => value.GetDouble(),
                _ => value.GetRawText(),
            },
        };
    }

    public static string FormatDateTime(DateTimeOffset value) =>
        value.UtcDateTime.ToString(DateTimeFormat, CultureInfo.InvariantCulture);

    public static bool TryParseDateTime(string? text, out DateTimeOffset value) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value);

    public static bool TryParseDouble(string text, out double value)
    {
        switch (text)
        {
            case "NaN": value = double.NaN; return true;
            case "Infinity": value = double.PositiveInfinity; return true;
            case "-Infinity": value = double.NegativeInfinity; return true;
            default: return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
        }
    }

    static double ParseDouble(string text) =>
        TryParseDouble(text, out var d) ? d : throw new FormatException($"Bad Edm.Double '{text}'.");
}
