using System.Collections;
using System.Globalization;
using System.Text;
using System.Xml;

namespace ManagedDistribution.Features.Devices.Protocol.Plist;

/// <summary>
/// Writes XML property lists byte-for-byte in Apple's layout: UTF-8 without BOM, the XML declaration,
/// Apple's <c>DOCTYPE</c>, <c>&lt;plist version="1.0"&gt;</c>, the root value unindented and children
/// tab-indented, <c>&lt;true/&gt;</c>. Text is escaped (<c>&amp; &lt; &gt;</c>, and CR as a character
/// reference so it survives XML newline normalisation). Accepts the value types
/// <see cref="PlistDictionary"/> documents, plus <see cref="int"/> and any non-string <see cref="IEnumerable"/> (array).
/// </summary>
public static class PlistWriter
{
    const string Header = """
        <?xml version="1.0" encoding="UTF-8"?>
        <!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
        <plist version="1.0">
        """;

    public static byte[] Write(object root)
    {
        using var stream = new MemoryStream();
        Write(stream, root);
        return stream.ToArray();
    }

    public static void Write(Stream stream, object root)
    {
        var text = new StringBuilder(Header).Append('\n');
        WriteValue(text, root, 0);
        text.Append("</plist>\n");
        stream.Write(Encoding.UTF8.GetBytes(text.ToString()));
    }

    static void WriteValue(StringBuilder text, object value, int depth)
    {
        switch (value)
        {
            case string s: Element(text, depth, "string", Escape(s)); break;
            case long number: Element(text, depth, "integer", number.ToString(CultureInfo.InvariantCulture)); break;
            case int number: Element(text, depth, "integer", number.ToString(CultureInfo.InvariantCulture)); break;
            case double real: Element(text, depth, "real", FormatReal(real)); break;
            case bool flag: Indent(text, depth).Append(flag ? "<true/>" : "<false/>").Append('\n'); break;
            case DateTimeOffset date: Element(text, depth, "date", date.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)); break;
            case byte[] data: Element(text, depth, "data", Convert.ToBase64String(data)); break;
            case PlistDictionary dict: WriteDict(text, dict, depth); break;
            case IEnumerable items and not string: WriteArray(text, items, depth); break;
            default: throw new ArgumentException($"{value.GetType()} has no plist representation.", nameof(value));
        }
    }

    static void WriteDict(StringBuilder text, PlistDictionary dict, int depth)
    {
        Indent(text, depth).Append("<dict>\n");
        foreach (var (key, value) in dict)
        {
            Element(text, depth + 1, "key", Escape(key));
            WriteValue(text, value, depth + 1);
        }
        Indent(text, depth).Append("</dict>\n");
    }

    static void WriteArray(StringBuilder text, IEnumerable items, int depth)
    {
        Indent(text, depth).Append("<array>\n");
        foreach (var item in items)
            WriteValue(text, item ?? throw new ArgumentException("Plist arrays cannot hold null."), depth + 1);
        Indent(text, depth).Append("</array>\n");
    }

    static void Element(StringBuilder text, int depth, string name, string content) =>
        Indent(text, depth).Append('<').Append(name).Append('>').Append(content).Append("</").Append(name).Append(">\n");

    static StringBuilder Indent(StringBuilder text, int depth) => text.Append('\t', depth);

    static string Escape(string value)
    {
        try
        {
            XmlConvert.VerifyXmlChars(value);
        }
        catch (XmlException e)
        {
            throw new ArgumentException("The text holds a character XML 1.0 cannot carry: " + e.Message, nameof(value), e);
        }
        return value.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\r", "&#13;");
    }

    static string FormatReal(double real) => real switch
    {
        double.NaN => "nan",
        double.PositiveInfinity => "+infinity",
        double.NegativeInfinity => "-infinity",
        _ => real.ToString("R", CultureInfo.InvariantCulture),
    };
}
