using System.Globalization;
using System.Text;
using System.Xml;

namespace ManagedDistribution.Features.Devices.Protocol.Plist;

/// <summary>
/// Reads Apple XML property lists (<see href="https://developer.apple.com/library/archive/documentation/Cocoa/Conceptual/PropertyLists/AboutPropertyLists/AboutPropertyLists.html">Property List Programming Guide</see>)
/// from untrusted bodies. Hardened: no DTD processing or entity expansion, a byte limit and a nesting
/// limit the caller chooses, and every failure surfaces as <see cref="PlistFormatException"/>.
/// </summary>
public static class PlistReader
{
    /// <summary>1 MiB: check-in and command-report bodies are a few KiB; big inventories still fit.</summary>
    public const int DefaultMaxBytes = 1024 * 1024;

    /// <summary>Deep enough for any MDM message (app configurations included), far below stack risk.</summary>
    public const int DefaultMaxDepth = 32;

    /// <summary>Reads a plist whose root value must be a <c>&lt;dict&gt;</c>.</summary>
    public static PlistDictionary ReadDictionary(ReadOnlySpan<byte> body, int maxBytes = DefaultMaxBytes, int maxDepth = DefaultMaxDepth) =>
        Read(body, maxBytes, maxDepth) as PlistDictionary
        ?? throw new PlistFormatException(PlistErrorKind.Malformed, "The plist root value is not a <dict>.");

    /// <summary>Reads a plist and returns its root value (see <see cref="PlistDictionary"/> for the value types).</summary>
    public static object Read(ReadOnlySpan<byte> body, int maxBytes = DefaultMaxBytes, int maxDepth = DefaultMaxDepth)
    {
        if (body.Length > maxBytes)
            throw new PlistFormatException(PlistErrorKind.TooLarge, $"The body is {body.Length} bytes; the limit is {maxBytes}.");
        try
        {
            using var xml = XmlReader.Create(new MemoryStream(body.ToArray(), writable: false), Settings(maxBytes));
            return ReadDocument(xml, maxDepth);
        }
        catch (Exception e) when (e is XmlException or FormatException or OverflowException or DecoderFallbackException or InvalidOperationException
                                  && e is not PlistFormatException)
        {
            throw new PlistFormatException(PlistErrorKind.Malformed, "The body is not a well-formed plist: " + e.Message, e);
        }
    }

    static XmlReaderSettings Settings(int maxBytes) => new()
    {
        // Apple's own plists carry a DOCTYPE, so Prohibit would reject every device. Ignore skips it
        // without reading the DTD: no external fetch, and entities it declares stay undeclared, so a
        // reference to one (XXE, billion laughs) is a syntax error rather than an expansion.
        DtdProcessing = DtdProcessing.Ignore,
        XmlResolver = null,
        MaxCharactersFromEntities = 1024,
        MaxCharactersInDocument = maxBytes,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
    };

    static object ReadDocument(XmlReader xml, int maxDepth)
    {
        if (xml.MoveToContent() != XmlNodeType.Element || xml.Name != "plist" || xml.IsEmptyElement)
            throw Malformed("The root element is not a non-empty <plist>.");
        xml.Read();
        var value = ReadValue(xml, 0, maxDepth);
        if (xml.MoveToContent() != XmlNodeType.EndElement)
            throw Malformed("<plist> must hold exactly one value.");
        while (xml.Read())
            if (xml.NodeType is XmlNodeType.Element or XmlNodeType.Text or XmlNodeType.CDATA)
                throw Malformed("Content follows </plist>.");
        return value;
    }

    static object ReadValue(XmlReader xml, int depth, int maxDepth)
    {
        if (xml.MoveToContent() != XmlNodeType.Element)
            throw Malformed($"Expected a value element, found {xml.NodeType}.");
        return xml.Name switch
        {
            "dict" => ReadDict(xml, Deeper(depth, maxDepth), maxDepth),
            "array" => ReadArray(xml, Deeper(depth, maxDepth), maxDepth),
            "string" => xml.ReadElementContentAsString(),
            "integer" => long.Parse(xml.ReadElementContentAsString().Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture),
            "real" => ParseReal(xml.ReadElementContentAsString().Trim()),
            "true" => ReadEmpty(xml, true),
            "false" => ReadEmpty(xml, false),
            "date" => DateTimeOffset.Parse(xml.ReadElementContentAsString().Trim(), CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal),
            "data" => Convert.FromBase64String(StripWhitespace(xml.ReadElementContentAsString())),
            var other => throw Malformed($"<{other}> is not a plist value element."),
        };
    }

    static int Deeper(int depth, int maxDepth) => depth < maxDepth
        ? depth + 1
        : throw new PlistFormatException(PlistErrorKind.TooDeep, $"Containers are nested deeper than {maxDepth}.");

    static PlistDictionary ReadDict(XmlReader xml, int depth, int maxDepth)
    {
        var dict = new PlistDictionary();
        if (IsEmptyContainer(xml)) return dict;
        while (xml.MoveToContent() != XmlNodeType.EndElement)
        {
            if (xml.NodeType != XmlNodeType.Element || xml.Name != "key")
                throw Malformed($"Expected <key> in <dict>, found {xml.NodeType} '{xml.Name}'.");
            var key = xml.ReadElementContentAsString();
            if (dict.ContainsKey(key)) throw Malformed($"Duplicate key '{key}'.");
            dict.Add(key, ReadValue(xml, depth, maxDepth));
        }
        xml.Read();
        return dict;
    }

    static List<object> ReadArray(XmlReader xml, int depth, int maxDepth)
    {
        var items = new List<object>();
        if (IsEmptyContainer(xml)) return items;
        while (xml.MoveToContent() != XmlNodeType.EndElement)
            items.Add(ReadValue(xml, depth, maxDepth));
        xml.Read();
        return items;
    }

    /// <summary>Consumes the start tag; true (and past the element) when it was <c>&lt;x/&gt;</c>.</summary>
    static bool IsEmptyContainer(XmlReader xml)
    {
        var empty = xml.IsEmptyElement;
        xml.Read();
        return empty;
    }

    static bool ReadEmpty(XmlReader xml, bool value) =>
        string.IsNullOrWhiteSpace(xml.ReadElementContentAsString()) ? value : throw Malformed("<true/> and <false/> take no content.");

    static double ParseReal(string text) => text.ToLowerInvariant() switch
    {
        "nan" => double.NaN,
        "inf" or "+inf" or "infinity" or "+infinity" => double.PositiveInfinity,
        "-inf" or "-infinity" => double.NegativeInfinity,
        _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    static string StripWhitespace(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
            if (!char.IsWhiteSpace(c)) builder.Append(c);
        return builder.ToString();
    }

    static PlistFormatException Malformed(string message) => new(PlistErrorKind.Malformed, message);
}
