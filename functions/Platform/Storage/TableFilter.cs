namespace ManagedDistribution.Platform.Storage;

/// <summary>
/// An OData <c>$filter</c> expression for Query Entities, and the only place one is built:
/// <c>TableFilter.PartitionKey.Eq(pk).And(TableFilter.Property("Status").Ne("revoked"))</c>.
/// Values are escaped by <see cref="TableFilterValue"/>, property names are checked, and every
/// combination is parenthesised. The client URL-encodes the finished string once.
/// Supported: <c>eq ne gt ge lt le</c>, <c>and or not</c> (the service has no functions).
/// See https://learn.microsoft.com/rest/api/storageservices/querying-tables-and-entities .
/// </summary>
public sealed class TableFilter
{
    readonly string expression;

    internal TableFilter(string expression) => this.expression = expression;

    public static TableFilterProperty PartitionKey { get; } = new("PartitionKey");
    public static TableFilterProperty RowKey { get; } = new("RowKey");
    public static TableFilterProperty Timestamp { get; } = new("Timestamp");

    /// <summary>A custom property; the name must be an identifier (letters, digits, underscore).</summary>
    public static TableFilterProperty Property(string name) => new(name);

    public TableFilter And(TableFilter other) => new($"({expression}) and ({other.expression})");
    public TableFilter Or(TableFilter other) => new($"({expression}) or ({other.expression})");
    public static TableFilter Not(TableFilter filter) => new($"not ({filter.expression})");

    /// <summary>All filters joined with <c>and</c>; at least one is required.</summary>
    public static TableFilter All(params IEnumerable<TableFilter> filters) => filters.Aggregate((a, b) => a.And(b));

    /// <summary>Any of the filters joined with <c>or</c>; at least one is required.</summary>
    public static TableFilter Any(params IEnumerable<TableFilter> filters) => filters.Aggregate((a, b) => a.Or(b));

    public static TableFilter operator &(TableFilter left, TableFilter right) => left.And(right);
    public static TableFilter operator |(TableFilter left, TableFilter right) => left.Or(right);
    public static TableFilter operator !(TableFilter filter) => Not(filter);

    /// <summary>The OData expression, not yet URL-encoded.</summary>
    public override string ToString() => expression;
}
