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
        using (var writer = new Utf8JsonWriter(buffer))
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
        return buffer.WrittenSpan.ToArray();
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

    /// <summary>Reads one entity object from a response (single entity or an element of <c>value</c>).</summary>
    public static TableEntity Read(JsonElement json)
    {
        var entity = new TableEntity();
        foreach (var property in json.EnumerateObject())
        {
            var name = property.Name;
            if (name == "odata.etag") entity.ETag = new ETag(property.Value.GetString() ?? "");
            else if (name == "PartitionKey") entity.PartitionKey = property.Value.GetString() ?? "";
            else if (name == "RowKey") entity.RowKey = property.Value.GetString() ?? "";
            else if (name == "Timestamp") entity.Timestamp = TryParseDateTime(property.Value.GetString(), out var t) ? t : null;
            else if (!name.StartsWith("odata.", StringComparison.Ordinal) && !name.Contains('@'))
            {
                var type = json.TryGetProperty(name + TypeSuffix, out var annotation) ? annotation.GetString() : null;
                var value = ReadValue(property.Value, type);
                if (value is not null) entity[name] = value;
            }
        }
        return entity;
    }

    static object? ReadValue(JsonElement value, string? edmType)
    {
        if (value.ValueKind == JsonValueKind.Null) return null;
        var text = value.ValueKind == JsonValueKind.String ? value.GetString()! : null;
        return edmType switch
        {
            "Edm.Int64" => text is null ? value.GetInt64() : long.Parse(text, CultureInfo.InvariantCulture),
            "Edm.Int32" => value.GetInt32(),
            "Edm.Double" => text is null ? value.GetDouble() : ParseDouble(text),
            "Edm.DateTime" => TryParseDateTime(text, out var t) ? t : throw new FormatException($"Bad Edm.DateTime '{text}'."),
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
