using System.Collections;
using System.ComponentModel;
using System.Reflection;

namespace ManagedDistribution.Tests.Infra;

/// <summary>
/// The configuration keys an assembly's options classes bind, derived the way
/// ConfigurationBinder walks them: <c>SectionName</c> + property path, <c>:0</c> for list items,
/// <c>:*</c> for dictionary keys. Leaf = a type the binder converts from a string.
/// </summary>
static class OptionsKeys
{
    public static IEnumerable<Type> OptionsTypes(Assembly assembly) =>
        assembly.GetTypes().Where(t => SectionNameOf(t) is not null);

    public static string? SectionNameOf(Type type) =>
        type.GetField("SectionName", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true } field
        && field.FieldType == typeof(string)
            ? (string?)field.GetRawConstantValue()
            : null;

    public static IEnumerable<string> KeysOf(Type optionsType) =>
        KeysUnder(SectionNameOf(optionsType)!, optionsType, depth: 0);

    static IEnumerable<string> KeysUnder(string prefix, Type type, int depth)
    {
        if (depth > 6) yield break; // a cycle or an absurdly deep graph; the binder would not get there either

        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0 || property.IsDefined(typeof(ObsoleteAttribute))) continue;
            var settable = property.SetMethod is { IsPublic: true };
            // The binder also fills get-only collections and nested objects in place.
            if (!settable && (IsLeaf(property.PropertyType) || !property.CanRead)) continue;

            foreach (var key in KeysOfValue($"{prefix}:{property.Name}", property.PropertyType, depth))
                yield return key;
        }
    }

    static IEnumerable<string> KeysOfValue(string key, Type type, int depth)
    {
        if (IsLeaf(type)) return [key];
        if (DictionaryValueType(type) is { } valueType) return KeysOfValue(key + ":*", valueType, depth + 1);
        if (ElementType(type) is { } elementType) return KeysOfValue(key + ":0", elementType, depth + 1);
        return KeysUnder(key, type, depth + 1);
    }

    static bool IsLeaf(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        return t.IsPrimitive || t.IsEnum || t == typeof(string) || t == typeof(object)
            || TypeDescriptor.GetConverter(t).CanConvertFrom(typeof(string));
    }

    static Type? ElementType(Type type)
    {
        if (type.IsArray) return type.GetElementType();
        if (!typeof(IEnumerable).IsAssignableFrom(type)) return null;
        return type.GetInterfaces().Append(type)
            .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))
            ?.GetGenericArguments()[0];
    }

    static Type? DictionaryValueType(Type type) =>
        type.GetInterfaces().Append(type)
            .FirstOrDefault(i => i.IsGenericType
                && (i.GetGenericTypeDefinition() == typeof(IDictionary<,>) || i.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>)))
            ?.GetGenericArguments()[1];
}
