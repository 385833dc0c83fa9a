using System.Text;

namespace ManagedDistribution.Platform.Storage;

/// <summary>One inner HTTP response of a <c>$batch</c> answer.</summary>
sealed record TableBatchPart(int Status, IReadOnlyDictionary<string, string> Headers, string Body);

/// <summary>
/// Reads a <c>$batch</c> response: <c>multipart/mixed</c> (a batch part wrapping a changeset, or
/// parts directly), each part an <c>application/http</c> response with its own status line. The
/// service answers 202 even when an operation failed; then the changeset holds just the failing
/// part. Tolerates LF-only line ends. Pure: no I/O.
/// </summary>
static class TableBatchResponse
{
    public static List<TableBatchPart> Parse(string contentType, ReadOnlySpan<byte> body)
    {
        var parts = new List<TableBatchPart>();
        Collect(contentType, Encoding.UTF8.GetString(body), parts);
        return parts;
    }

    static void Collect(string contentType, string body, List<TableBatchPart> into)
    {
        var boundary = Boundary(contentType) ?? throw new FormatException($"Batch response Content-Type '{contentType}' has no boundary.");
        foreach (var part in SplitParts(body, boundary))
        {
            var (headers, content) = SplitHead(part);
            var type = headers.GetValueOrDefault("Content-Type", "");
            if (type.StartsWith("multipart/mixed", StringComparison.OrdinalIgnoreCase)) Collect(type, content, into);
            else if (type.StartsWith("application/http", StringComparison.OrdinalIgnoreCase)) into.Add(ReadHttp(content));
        }
    }

    static IEnumerable<string> SplitParts(string body, string boundary)
    {
        var delimiter = "--" + boundary;
        var pieces = body.Split(delimiter);
        // pieces[0] is the preamble; a piece starting with "--" follows the closing delimiter.
        for (var i = 1; i < pieces.Length; i++)
        {
            if (pieces[i].StartsWith("--", StringComparison.Ordinal)) yield break;
            yield return pieces[i].TrimStart('\r', '\n');
        }
    }

    static TableBatchPart ReadHttp(string message)
    {
        var lineEnd = message.IndexOf('\n');
        var statusLine = (lineEnd < 0 ? message : message[..lineEnd]).TrimEnd('\r');
        var fields = statusLine.Split(' ', 3);
        if (fields.Length < 2 || !fields[0].StartsWith("HTTP/", StringComparison.Ordinal) || !int.TryParse(fields[1], out var status))
            throw new FormatException($"Batch response part has no HTTP status line: '{statusLine}'.");
        var (headers, content) = SplitHead(lineEnd < 0 ? "" : message[(lineEnd + 1)..]);
        return new TableBatchPart(status, headers, content.TrimEnd('\r', '\n'));
    }

    /// <summary>Headers up to the first blank line, then the rest.</summary>
    static (Dictionary<string, string> Headers, string Content) SplitHead(string text)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var position = 0;
        while (position < text.Length)
        {
            var end = text.IndexOf('\n', position);
            var line = (end < 0 ? text[position..] : text[position..end]).TrimEnd('\r');
            position = end < 0 ? text.Length : end + 1;
            if (line.Length == 0) break;
            var colon = line.IndexOf(':');
            if (colon > 0) headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }
        return (headers, text[position..]);
    }

    static string? Boundary(string contentType)
    {
        foreach (var parameter in contentType.Split(';', StringSplitOptions.TrimEntries))
            if (parameter.StartsWith("boundary=", StringComparison.OrdinalIgnoreCase))
                return parameter["boundary=".Length..].Trim('"');
        return null;
    }
}
