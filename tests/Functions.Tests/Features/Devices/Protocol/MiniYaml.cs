using System.Text.RegularExpressions;

namespace ManagedDistribution.Tests.Features.Devices.Protocol;

/// <summary>
/// Just enough YAML for Apple's device-management schemas: block maps and lists by indentation
/// (lists may sit at their parent key's indent), plain/quoted scalars with folded continuation
/// lines, and <c>|</c> / <c>|-</c> / <c>&gt;</c> block scalars. No anchors, flow collections or tags.
/// Maps become <see cref="Dictionary{TKey,TValue}"/>, lists <see cref="List{T}"/>, scalars strings.
/// </summary>
public static partial class MiniYaml
{
    public static object Parse(string text)
    {
        var lines = text.Replace("\r\n", "\n").Split('\n')
            .Where(line => line.Trim().Length > 0 && !line.TrimStart().StartsWith('#'))
            .Select(line => new Line(line.Length - line.TrimStart(' ').Length, line.Trim()))
            .ToList();
        var position = 0;
        return ParseNode(lines, ref position, lines.Count > 0 ? lines[0].Indent : 0);
    }

    sealed record Line(int Indent, string Text)
    {
        public bool IsListItem => Text == "-" || Text.StartsWith("- ", StringComparison.Ordinal);
    }

    static object ParseNode(List<Line> lines, ref int position, int indent) =>
        lines[position].IsListItem ? ParseList(lines, ref position, indent) : ParseMap(lines, ref position, indent);

    static Dictionary<string, object?> ParseMap(List<Line> lines, ref int position, int indent)
    {
        var map = new Dictionary<string, object?>();
        while (position < lines.Count && lines[position].Indent == indent && !lines[position].IsListItem)
        {
            var match = KeyValue().Match(lines[position].Text);
            if (!match.Success) throw new FormatException($"Not a 'key: value' line: {lines[position].Text}");
            position++;
            map[match.Groups[1].Value] = ParseValue(lines, ref position, indent, match.Groups[2].Value);
        }
        return map;
    }

    static List<object?> ParseList(List<Line> lines, ref int position, int indent)
    {
        var list = new List<object?>();
        while (position < lines.Count && lines[position].Indent == indent && lines[position].IsListItem)
        {
            var rest = lines[position].Text[1..].TrimStart();
            if (KeyValue().IsMatch(rest))
            {
                // "- key: value" opens a map whose keys sit two columns further in.
                lines[position] = new Line(indent + 2, rest);
                list.Add(ParseMap(lines, ref position, indent + 2));
            }
            else
            {
                position++;
                list.Add(ParseValue(lines, ref position, indent, rest));
            }
        }
        return list;
    }

    static object? ParseValue(List<Line> lines, ref int position, int indent, string inline)
    {
        if (inline is "|" or "|-" or ">" or ">-")
            return string.Join("\n", TakeDeeper(lines, ref position, indent));
        if (inline.Length > 0)
            return Unquote(string.Join(" ", [inline, .. TakeDeeper(lines, ref position, indent)]));
        if (position < lines.Count && (lines[position].Indent > indent || lines[position].Indent == indent && lines[position].IsListItem))
            return ParseNode(lines, ref position, lines[position].Indent);
        return null;
    }

    static List<string> TakeDeeper(List<Line> lines, ref int position, int indent)
    {
        var taken = new List<string>();
        while (position < lines.Count && lines[position].Indent > indent)
            taken.Add(lines[position++].Text);
        return taken;
    }

    static string Unquote(string value) =>
        value.Length >= 2 && (value[0] == '\'' && value[^1] == '\'' || value[0] == '"' && value[^1] == '"')
            ? value[1..^1].Replace("''", "'")
            : value;

    [GeneratedRegex(@"^([A-Za-z0-9_.\- ]+?):(?:\s+(.*))?$")]
    private static partial Regex KeyValue();
}
