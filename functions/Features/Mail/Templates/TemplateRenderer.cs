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

    /// <summary>Escapes the five characters that matter in HTML text and quoted attribute values.</summary>
    public static string HtmlEscape(string value)
    {
        var builder = new StringBuilder(value.Length + 16);
        foreach (var c in value)
            builder.Append(c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                _ => c.ToString(),
            });
        return builder.ToString();
    }
}
