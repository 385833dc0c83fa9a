using ManagedDistribution.Features.Devices.Protocol.Plist;

namespace ManagedDistribution.Features.Devices.Protocol;

/// <summary>Thrown inside this namespace only; <see cref="MdmDecoder"/> turns it into an <see cref="MdmParseError"/>.</summary>
internal sealed class MdmMessageException(MdmParseError error) : Exception(error.Detail)
{
    public MdmParseError Error { get; } = error;
}

/// <summary>Typed, schema-checked access to a message dictionary's keys.</summary>
internal static class MessageFields
{
    public static string RequireString(this PlistDictionary dict, string key) => Require<string>(dict, key, "string");
    public static byte[] RequireData(this PlistDictionary dict, string key) => Require<byte[]>(dict, key, "data");
    public static PlistDictionary RequireDictionary(this PlistDictionary dict, string key) => Require<PlistDictionary>(dict, key, "dict");
    public static IReadOnlyList<object> RequireArray(this PlistDictionary dict, string key) => Require<IReadOnlyList<object>>(dict, key, "array");

    public static string? OptionalString(this PlistDictionary dict, string key) => Optional<string>(dict, key, "string");
    public static byte[]? OptionalData(this PlistDictionary dict, string key) => Optional<byte[]>(dict, key, "data");
    public static PlistDictionary? OptionalDictionary(this PlistDictionary dict, string key) => Optional<PlistDictionary>(dict, key, "dict");
    public static IReadOnlyList<object>? OptionalArray(this PlistDictionary dict, string key) => Optional<IReadOnlyList<object>>(dict, key, "array");

    public static long? OptionalInteger(this PlistDictionary dict, string key) =>
        dict.TryGetValue(key, out var value) ? value as long? ?? throw WrongType(key, "integer") : null;

    public static bool? OptionalBoolean(this PlistDictionary dict, string key) =>
        dict.TryGetValue(key, out var value) ? value as bool? ?? throw WrongType(key, "true/false") : null;

    /// <summary>Apple's schemas type some identifiers differently per command; accept integer or numeric string.</summary>
    public static long? OptionalIntegerOrNumericString(this PlistDictionary dict, string key) =>
        dict.TryGetValue(key, out var value) ? value switch
        {
            long number => number,
            string text when long.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var parsed) => parsed,
            _ => throw WrongType(key, "integer"),
        } : null;

    public static IReadOnlyList<string>? OptionalStringArray(this PlistDictionary dict, string key) =>
        dict.OptionalArray(key)?.Select(item => item as string ?? throw WrongType(key, "array of string")).ToArray();

    static T Require<T>(PlistDictionary dict, string key, string typeName) where T : class =>
        Optional<T>(dict, key, typeName)
        ?? throw new MdmMessageException(new(MdmParseErrorCode.MissingKey, $"Required key '{key}' is missing.", key));

    static T? Optional<T>(PlistDictionary dict, string key, string typeName) where T : class =>
        dict.TryGetValue(key, out var value) ? value as T ?? throw WrongType(key, typeName) : null;

    public static MdmMessageException WrongType(string key, string expected) =>
        new(new(MdmParseErrorCode.WrongType, $"Key '{key}' must be <{expected}>.", key));

    public static MdmMessageException Invalid(string key, string value, string detail) =>
        new(new(MdmParseErrorCode.InvalidValue, detail, key, value));
}

/// <summary>Runs a decoder over a body and folds every expected failure into an <see cref="MdmParseResult{T}"/>.</summary>
internal static class MdmDecoder
{
    public static MdmParseResult<T> Decode<T>(ReadOnlySpan<byte> body, int maxBytes, Func<PlistDictionary, T> decode) where T : class
    {
        try
        {
            return decode(PlistReader.ReadDictionary(body, maxBytes));
        }
        catch (PlistFormatException e)
        {
            return FromPlistError(e);
        }
        catch (MdmMessageException e)
        {
            return e.Error;
        }
    }

    public static MdmParseResult<T> Decode<T>(PlistDictionary dict, Func<PlistDictionary, T> decode) where T : class
    {
        try
        {
            return decode(dict);
        }
        catch (MdmMessageException e)
        {
            return e.Error;
        }
    }

    static MdmParseError FromPlistError(PlistFormatException e) => new(e.Kind switch
    {
        PlistErrorKind.TooLarge => MdmParseErrorCode.BodyTooLarge,
        PlistErrorKind.TooDeep => MdmParseErrorCode.NestingTooDeep,
        _ => MdmParseErrorCode.MalformedPlist,
    }, e.Message);
}
