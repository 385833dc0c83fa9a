using System.Text;

namespace ManagedDistribution.Features.Directory;

/// <summary>A CSV body that cannot be read at all (an unterminated quote swallows the rest of it).</summary>
public sealed class CsvFormatException(string message) : Exception(message);

/// <summary>One CSV record and the line it starts on (1-based).</summary>
public sealed record CsvRecord(int Line, IReadOnlyList<string> Fields);

/// <summary>
/// RFC 4180 CSV (https://www.rfc-editor.org/rfc/rfc4180): comma-separated, fields optionally in
/// double quotes with <c>""</c> for a quote, commas and line breaks allowed inside quotes, CRLF or
/// LF line ends, a leading UTF-8 byte order mark ignored, blank lines skipped. Lenient where
/// spreadsheets are sloppy (a quote inside an unquoted field is kept as text).
/// </summary>
public static class CsvReader
{
    public static IEnumerable<CsvRecord> Read(string text)
    {
        var start = text.StartsWith('\uFEFF') ? 1 : 0;
        var fields = new List<string>();
        var field = new StringBuilder();
        bool inQuotes = false, quoted = false;
        int line = 1, recordLine = 1;
        for (var i = start; i < text.Length; i++)
        {
            var c = text[i];
            if (inQuotes)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') inQuotes = false;
                else
                {
                    if (c == '\n') line++;
                    field.Append(c);
                }
                continue;
            }
            switch (c)
            {
                case '"' when field.Length == 0 && !quoted:
                    inQuotes = quoted = true;
                    break;
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    quoted = false;
                    break;
                case '\r' or '\n':
                    if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n') i++;
                    fields.Add(field.ToString());
                    if (fields is not [""] || quoted) yield return new CsvRecord(recordLine, [.. fields]);
                    fields.Clear();
                    field.Clear();
                    quoted = false;
                    recordLine = ++line;
                    break;
                default:
                    field.Append(c);
                    break;
            }
        }
        if (inQuotes) throw new CsvFormatException($"The quoted field that starts on line {recordLine} is never closed.");
        fields.Add(field.ToString());
        if (fields is not [""] || quoted) yield return new CsvRecord(recordLine, [.. fields]);
    }
}
