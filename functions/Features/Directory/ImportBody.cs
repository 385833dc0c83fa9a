using System.Text;
using System.Text.Json;
using ManagedDistribution.Platform.Http;
using Microsoft.Net.Http.Headers;

namespace ManagedDistribution.Features.Directory;

/// <summary>One row of an import (1-based, in body order) with its values by column, or why it could not be read.</summary>
public sealed record ImportRow(int Row, IReadOnlyDictionary<string, string?> Values, string? Problem = null)
{
    public string? this[string column] => Values.GetValueOrDefault(column);
}

/// <summary>The body as a whole cannot be imported: answered with this problem, nothing written.</summary>
public sealed class ImportBodyException(ProblemType type, string detail) : Exception(detail)
{
    public ProblemType Type { get; } = type;
}

/// <summary>
/// Reads an import body into rows: a JSON array of objects (<c>application/json</c>) or CSV with a
/// header row (<c>text/csv</c>; columns in any order, names case-insensitive). Problems of one row
/// (a value that is not a string, too many fields) stay with that row; problems of the body
/// (not JSON, not an array, an unterminated quote, unknown or missing columns, too many rows)
/// throw <see cref="ImportBodyException"/>.
/// </summary>
public static class ImportBody
{
    /// <summary>Largest import body; above the API's general limit because 100,000 rows do not fit in it.</summary>
    public const long MaxBytes = 64L * 1024 * 1024;

    public static async Task<IReadOnlyList<ImportRow>> ReadAsync(HttpRequest request, IReadOnlyList<string> columns, IReadOnlyList<string> required,
        int maxRows, CancellationToken cancellationToken)
    {
        var isCsv = IsCsv(request.ContentType);
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken);
        var bytes = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
        if (bytes.Span.StartsWith("\uFEFF"u8)) bytes = bytes[3..];
        return isCsv ? ReadCsv(Encoding.UTF8.GetString(bytes.Span), columns, required, maxRows) : ReadJson(bytes, columns, maxRows);
    }

    static bool IsCsv(string? contentType)
    {
        if (MediaTypeHeaderValue.TryParse(contentType, out var media))
        {
            if (media.MediaType.Equals("text/csv", StringComparison.OrdinalIgnoreCase)) return true;
            if (media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || media.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase)) return false;
        }
        throw new ImportBodyException(ProblemCodes.UnsupportedMediaType, "Send the rows as application/json (an array of objects) or text/csv (with a header row).");
    }

    static List<ImportRow> ReadJson(ReadOnlyMemory<byte> bytes, IReadOnlyList<string> columns, int maxRows)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw new ImportBodyException(ProblemCodes.MalformedJson, $"The body is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}).");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array)
                throw new ImportBodyException(ProblemCodes.MalformedJson, "The body must be a JSON array of objects.");
            var count = document.RootElement.GetArrayLength();
            if (count > maxRows) throw TooMany(count, maxRows);
            var rows = new List<ImportRow>(count);
            foreach (var element in document.RootElement.EnumerateArray()) rows.Add(JsonRow(rows.Count + 1, element, columns));
            return rows;
        }
    }

    static ImportRow JsonRow(int row, JsonElement element, IReadOnlyList<string> columns)
    {
        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (element.ValueKind != JsonValueKind.Object) return new ImportRow(row, values, "The row is not a JSON object.");
        var problems = new List<string>();
        foreach (var property in element.EnumerateObject())
        {
            // Unknown properties are ignored, as on the single-resource endpoints.
            var column = columns.FirstOrDefault(c => c.Equals(property.Name, StringComparison.OrdinalIgnoreCase));
            if (column is null) continue;
            switch (property.Value.ValueKind)
            {
                case JsonValueKind.String: values[column] = property.Value.GetString(); break;
                case JsonValueKind.Null: values[column] = null; break;
                default: problems.Add($"{column} must be a string."); break;
            }
        }
        return new ImportRow(row, values, problems.Count == 0 ? null : string.Join(" ", problems));
    }

    static List<ImportRow> ReadCsv(string text, IReadOnlyList<string> columns, IReadOnlyList<string> required, int maxRows)
    {
        try
        {
            using var records = CsvReader.Read(text).GetEnumerator();
            if (!records.MoveNext()) throw new ImportBodyException(ProblemCodes.MalformedCsv, "The CSV body is empty; the first line must name the columns.");
            var header = Header(records.Current.Fields, columns, required);
            var rows = new List<ImportRow>();
            while (records.MoveNext())
            {
                if (rows.Count == maxRows) throw TooMany(rows.Count + 1, maxRows);
                rows.Add(CsvRow(rows.Count + 1, records.Current, header));
            }
            return rows;
        }
        catch (CsvFormatException e)
        {
            throw new ImportBodyException(ProblemCodes.MalformedCsv, e.Message);
        }
    }

    static string[] Header(IReadOnlyList<string> names, IReadOnlyList<string> columns, IReadOnlyList<string> required)
    {
        var header = names.Select(n => columns.FirstOrDefault(c => c.Equals(n.Trim(), StringComparison.OrdinalIgnoreCase))).ToArray();
        var unknown = names.Where((_, i) => header[i] is null).ToList();
        if (unknown.Count > 0)
            throw new ImportBodyException(ProblemCodes.MalformedCsv,
                $"Unknown column(s) {string.Join(", ", unknown.Select(u => $"'{u}'"))}; the columns are {string.Join(", ", columns)}.");
        var repeated = header.GroupBy(h => h).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (repeated.Count > 0) throw new ImportBodyException(ProblemCodes.MalformedCsv, $"Column(s) {string.Join(", ", repeated)} appear more than once.");
        var missing = required.Where(r => !header.Contains(r)).ToList();
        if (missing.Count > 0) throw new ImportBodyException(ProblemCodes.MalformedCsv, $"The header lacks the required column(s) {string.Join(", ", missing)}.");
        return header!;
    }

    static ImportRow CsvRow(int row, CsvRecord record, string[] header)
    {
        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        for (var i = 0; i < Math.Min(header.Length, record.Fields.Count); i++) values[header[i]] = record.Fields[i];
        return record.Fields.Count > header.Length
            ? new ImportRow(row, values, $"Line {record.Line} has {record.Fields.Count} fields; the header has {header.Length}.")
            : new ImportRow(row, values);
    }

    static ImportBodyException TooMany(int count, int maxRows) =>
        new(ProblemCodes.TooManyItems, $"The body has {(count > maxRows ? "more than " + maxRows : count)} rows; one import takes at most {maxRows:N0}. Split it.");
}
