using System.Collections;
using System.Globalization;

namespace ManagedDistribution.Platform.Storage;

/// <summary>
/// One table row: the keys, the service-set <see cref="ETag"/> and <see cref="Timestamp"/>, and a
/// bag of typed properties. Values are <see cref="string"/>, <see cref="int"/>, <see cref="long"/>,
/// <see cref="double"/>, <see cref="bool"/>, <see cref="DateTimeOffset"/> (a <see cref="DateTime"/> is
/// stored as UTC), <see cref="Guid"/> or <see cref="byte"/>[]; anything else is refused when set so
/// the mistake shows where it is made. Written with OData type annotations (Int64 as a string, so
/// values above 2^53 survive). Getters are tolerant: an Int32 reads as Int64, a number as Double.
/// See https://learn.microsoft.com/rest/api/storageservices/payload-format-for-table-service-operations .
/// </summary>
public sealed class TableEntity : IEnumerable<KeyValuePair<string, object>>
{
    readonly Dictionary<string, object> properties = new(StringComparer.Ordinal);

    public TableEntity() { }

    public TableEntity(string partitionKey, string rowKey)
    {
        PartitionKey = partitionKey;
        RowKey = rowKey;
    }

    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public ETag ETag { get; set; }

    /// <summary>Last modification time, set by the service; ignored on write.</summary>
    public DateTimeOffset? Timestamp { get; set; }

    /// <summary>A custom property; null when absent. Setting null removes it.</summary>
    public object? this[string name]
    {
        get => properties.GetValueOrDefault(name);
        set
        {
            if (value is null) properties.Remove(name);
            else properties[CheckName(name)] = Normalize(value);
        }
    }

    public int Count => properties.Count;
    public IEnumerable<string> Keys => properties.Keys;
    public bool ContainsKey(string name) => properties.ContainsKey(name);
    public bool Remove(string name) => properties.Remove(name);

    /// <summary>For collection initialisers: <c>new TableEntity(pk, rk) { { "Name", "x" } }</c>.</summary>
    public void Add(string name, object value) => this[name] = value ?? throw new ArgumentNullException(nameof(value));

    public string? GetString(string name) => Get(name) switch
    {
        null => null,
        string s => s,
        var other => throw WrongType(name, other, "String"),
    };

    public int? GetInt32(string name) => Get(name) switch
    {
        null => null,
        int i => i,
        long l when l is >= int.MinValue and <= int.MaxValue => (int)l,
        string s when int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) => i,
        var other => throw WrongType(name, other, "Int32"),
    };

    public long? GetInt64(string name) => Get(name) switch
    {
        null => null,
        long l => l,
        int i => i,
        string s when long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) => l,
        var other => throw WrongType(name, other, "Int64"),
    };

    public double? GetDouble(string name) => Get(name) switch
    {
        null => null,
        double d => d,
        int i => i,
        long l => l,
        string s when TableEntityJson.TryParseDouble(s, out var d) => d,
        var other => throw WrongType(name, other, "Double"),
    };

    public bool? GetBoolean(string name) => Get(name) switch
    {
        null => null,
        bool b => b,
        string s when bool.TryParse(s, out var b) => b,
        var other => throw WrongType(name, other, "Boolean"),
    };

    public DateTimeOffset? GetDateTimeOffset(string name) => Get(name) switch
    {
        null => null,
        DateTimeOffset d => d,
        string s when TableEntityJson.TryParseDateTime(s, out var d) => d,
        var other => throw WrongType(name, other, "DateTime"),
    };

    public Guid? GetGuid(string name) => Get(name) switch
    {
        null => null,
        Guid g => g,
        string s when Guid.TryParse(s, out var g) => g,
        var other => throw WrongType(name, other, "Guid"),
    };

    public byte[]? GetBinary(string name) => Get(name) switch
    {
        null => null,
        byte[] b => b,
        string s => Convert.FromBase64String(s),
        var other => throw WrongType(name, other, "Binary"),
    };

    public IEnumerator<KeyValuePair<string, object>> GetEnumerator() => properties.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    internal static DateTimeOffset ToDateTimeOffset(DateTime value) => value.Kind switch
    {
        DateTimeKind.Local => new DateTimeOffset(value.ToUniversalTime(), TimeSpan.Zero),
        _ => new DateTimeOffset(DateTime.SpecifyKind(value, DateTimeKind.Utc), TimeSpan.Zero),
    };

    object? Get(string name) => properties.GetValueOrDefault(name);

    static object Normalize(object value) => value switch
    {
        string or int or long or double or bool or Guid => value,
        DateTimeOffset d => d.ToUniversalTime(),
        DateTime d => ToDateTimeOffset(d),
        byte[] b => b.ToArray(),
        BinaryData b => b.ToArray(),
        _ => throw new ArgumentException($"Table properties cannot hold {value.GetType().Name}; use string, int, long, double, bool, DateTimeOffset, Guid or byte[]."),
    };

    static string CheckName(string name) =>
        name is "PartitionKey" or "RowKey" or "Timestamp" || name.StartsWith("odata.", StringComparison.Ordinal) || name.Contains('@')
            ? throw new ArgumentException($"'{name}' is reserved; use the entity's own properties.", nameof(name))
            : name;

    static InvalidCastException WrongType(string name, object value, string wanted) =>
        new($"Table property '{name}' holds {value.GetType().Name}, not {wanted}.");
}
