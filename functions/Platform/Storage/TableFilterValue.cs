using System.Globalization;

namespace ManagedDistribution.Platform.Storage;

/// <summary>
/// A typed value on the right of a <see cref="TableFilter"/> comparison, written as an OData
/// literal: <c>'text'</c> (quotes doubled), <c>42</c>, <c>42L</c>, <c>4.5</c>, <c>true</c>,
/// <c>datetime'…Z'</c>, <c>guid'…'</c>, <c>X'0a0b'</c>. Built only through the implicit
/// conversions, so every literal a filter contains went through this one escaping routine.
/// See https://learn.microsoft.com/rest/api/storageservices/querying-tables-and-entities .
/// </summary>
public readonly struct TableFilterValue
{
    TableFilterValue(string literal) => Literal = literal;

    internal string Literal { get; }

    public static implicit operator TableFilterValue(string value) =>
        new("'" + (value ?? throw new ArgumentNullException(nameof(value))).Replace("'", "''", StringComparison.Ordinal) + "'");

    public static implicit operator TableFilterValue(int value) => new(value.ToString(CultureInfo.InvariantCulture));

    public static implicit operator TableFilterValue(long value) => new(value.ToString(CultureInfo.InvariantCulture) + "L");

    public static implicit operator TableFilterValue(bool value) => new(value ? "true" : "false");

    public static implicit operator TableFilterValue(double value)
    {
        if (!double.IsFinite(value)) throw new ArgumentOutOfRangeException(nameof(value), "OData filters have no literal for NaN or Infinity.");
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        // A literal without '.' or exponent is parsed as Int32; keep it a Double.
        return new(text.AsSpan().IndexOfAny('.', 'E') < 0 ? text + ".0" : text);
    }

    public static implicit operator TableFilterValue(DateTimeOffset value) =>
        new("datetime'" + TableEntityJson.FormatDateTime(value) + "'");

    /// <summary>A <see cref="DateTime"/> of unspecified kind is taken as UTC, as the service stores it.</summary>
    public static implicit operator TableFilterValue(DateTime value) => TableEntity.ToDateTimeOffset(value);

    public static implicit operator TableFilterValue(Guid value) => new("guid'" + value.ToString("D") + "'");

    public static implicit operator TableFilterValue(byte[] value) =>
        new("X'" + Convert.ToHexStringLower(value ?? throw new ArgumentNullException(nameof(value))) + "'");
}
