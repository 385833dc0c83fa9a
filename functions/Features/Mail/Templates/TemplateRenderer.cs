using System.Text;
using System.Text.RegularExpressions;

namespace ManagedDistribution.Features.Mail.Templates;

/// <summary>
/// <c>{{name}}</c> substitution, nothing more: no logic in templates, so a translator or an
/// admin can edit them safely. Values are HTML-escaped in HTML templates. A placeholder without
/// a value is an error, never an empty string in someone's inbox.
/// </summary>
public static partial class TemplateRenderer
{
    [GeneratedRegex(@"\{\{\s*([A-Za-z][A-Za-z0-9]*)\s*\}\}")]
    private static partial Regex Placeholder();

    /// <summary>The placeholder names a template uses, in order of first use.</summary>
    public static IReadOnlyList<string> PlaceholdersIn(string template) =>
        Placeholder().Matches(template).Select(m => m.Groups[1].Value).Distinct(StringComparer.Ordinal).ToList();

    /// <exception cref="KeyNotFoundException">A placeholder has no value.</exception>
    public static string Render(string template, IReadOnlyDictionary<string, string> values, bool html) =>
        Placeholder().Replace(template, match =>
        {
            var name = match.Groups[1].Value;
            if (!values.TryGetValue(name, out var value)) throw new KeyNotFoundException($"Template placeholder {{{{{name}}}}} has no value.");
            return html ? HtmlEscape(value) : value;
        });

    /// <summary>The template split once into literal text and placeholders, to render many mails without a regex each.</summary>
    public static CompiledTemplate Compile(string template)
    {
        var parts = new List<(string Text, bool IsPlaceholder)>();
        var at = 0;
        foreach (Match match in Placeholder().Matches(template))
        {
            if (match.Index > at) parts.Add((template[at..match.Index], false));
            parts.Add((match.Groups[1].Value, true));
            at = match.Index + match.Length;
        }
        if (at < template.Length) parts.Add((template[at..], false));
        return new CompiledTemplate([.. parts], template.Length);
    }

    /// <summary>Escapes the five characters that matter in HTML text and quoted attribute values.</summary>
    public static string HtmlEscape(string value)
    {
        if (value.AsSpan().IndexOfAny("&<>\"'") < 0) return value;
        var builder = new StringBuilder(value.Length + 16);
        foreach (var c in value)
        {
            switch (c)
            {
                case '&': builder.Append("&amp;"); break;
                case '<': builder.Append("&lt;"); break;
                case '>': builder.Append("&gt;"); break;
                case '"': builder.Append("&quot;"); break;
                case '\'': builder.Append("&#39;"); break;
                default: builder.Append(c); break;
            }
        }
        return builder.ToString();
    }
}

/// <summary>A template as literal text and placeholders (<see cref="TemplateRenderer.Compile"/>); renders like <see cref="TemplateRenderer.Render"/>.</summary>
public sealed class CompiledTemplate((string Text, bool IsPlaceholder)[] parts, int length)
{
    /// <exception cref="KeyNotFoundException">A placeholder has no value.</exception>
    public string Render(IReadOnlyDictionary<string, string> values, bool html)
    {
        var builder = new StringBuilder(length + 256);
        foreach (var (text, isPlaceholder) in parts)
        {
            if (!isPlaceholder)
            {
                builder.Append(text);
                continue;
            }
            if (!values.TryGetValue(text, out var value)) throw new KeyNotFoundException($"Template placeholder {{{{{text}}}}} has no value.");
            builder.Append(html ? TemplateRenderer.HtmlEscape(value) : value);
        }
        return builder.ToString();
    }
}
