using System.Globalization;
using System.Text;

namespace ManagedDistribution.Features.AppsAndBooks;

/// <summary>Builds query strings; the one place values are escaped.</summary>
internal sealed class AppsAndBooksQuery
{
    readonly StringBuilder text = new();

    public AppsAndBooksQuery Add(string name, string? value)
    {
        if (value is null) return this;
        text.Append(text.Length == 0 ? '?' : '&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
        return this;
    }

    public AppsAndBooksQuery Add(string name, int? value) =>
        Add(name, value?.ToString(CultureInfo.InvariantCulture));

    public AppsAndBooksQuery Add(string name, bool? value) =>
        Add(name, value is null ? null : value.Value ? "true" : "false");

    public override string ToString() => text.ToString();
}
