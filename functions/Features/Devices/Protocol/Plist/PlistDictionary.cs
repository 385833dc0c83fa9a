using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace ManagedDistribution.Features.Devices.Protocol.Plist;

/// <summary>
/// A plist <c>&lt;dict&gt;</c>: string keys in document order. Values are <see cref="string"/>,
/// <see cref="long"/>, <see cref="double"/>, <see cref="bool"/>, <see cref="DateTimeOffset"/>,
/// <see cref="byte"/>[], <see cref="PlistDictionary"/> or <see cref="IReadOnlyList{T}"/> of those.
/// </summary>
public sealed class PlistDictionary : IReadOnlyDictionary<string, object>
{
    readonly OrderedDictionary<string, object> entries = new(StringComparer.Ordinal);

    public int Count => entries.Count;
    public IEnumerable<string> Keys => entries.Keys;
    public IEnumerable<object> Values => entries.Values;

    /// <summary>Gets or sets a value; setting an existing key replaces it in place.</summary>
    public object this[string key]
    {
        get => entries[key];
        set => entries[key] = value;
    }

    /// <summary>Adds a key; throws if it is already present.</summary>
    public void Add(string key, object value) => entries.Add(key, value);

    /// <summary>Sets <paramref name="key"/> only when <paramref name="value"/> is not null (optional protocol keys).</summary>
    public PlistDictionary AddIfNotNull(string key, object? value)
    {
        if (value is not null) entries[key] = value;
        return this;
    }

    public bool Remove(string key) => entries.Remove(key);

    public bool ContainsKey(string key) => entries.ContainsKey(key);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out object value) => entries.TryGetValue(key, out value);

    /// <summary>The value under <paramref name="key"/> if present and of type <typeparamref name="T"/>.</summary>
    public bool TryGet<T>(string key, [MaybeNullWhen(false)] out T value)
    {
        if (entries.TryGetValue(key, out var raw) && raw is T typed)
        {
            value = typed;
            return true;
        }
        value = default;
        return false;
    }

    public IEnumerator<KeyValuePair<string, object>> GetEnumerator() => entries.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
