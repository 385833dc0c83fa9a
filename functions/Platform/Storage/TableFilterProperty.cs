using System.Text.RegularExpressions;

namespace ManagedDistribution.Platform.Storage;

/// <summary>The left side of a <see cref="TableFilter"/> comparison: a system or custom property name.</summary>
public sealed partial class TableFilterProperty
{
    readonly string name;

    internal TableFilterProperty(string name)
    {
        // Names are spliced into the expression unquoted, so anything but an identifier would let
        // a caller inject operators.
        if (!Identifier().IsMatch(name ?? ""))
            throw new ArgumentException($"'{name}' is not a valid table property name.", nameof(name));
        this.name = name!;
    }

    public TableFilter Eq(TableFilterValue value) => Compare("eq", value);
    public TableFilter Ne(TableFilterValue value) => Compare("ne", value);
    public TableFilter Gt(TableFilterValue value) => Compare("gt", value);
    public TableFilter Ge(TableFilterValue value) => Compare("ge", value);
    public TableFilter Lt(TableFilterValue value) => Compare("lt", value);
    public TableFilter Le(TableFilterValue value) => Compare("le", value);

    TableFilter Compare(string op, TableFilterValue value) =>
        new($"{name} {op} {value.Literal ?? throw new ArgumentException("Uninitialised filter value.", nameof(value))}");

    public override string ToString() => name;

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,254}$")]
    private static partial Regex Identifier();
}
