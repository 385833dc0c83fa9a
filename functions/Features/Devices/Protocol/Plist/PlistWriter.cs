using System.Collections;
using System.Globalization;
using System.Text;
using System.Xml;

namespace ManagedDistribution.Features.Devices.Protocol.Plist;

/// <summary>
/// Writes Apple-style XML property lists: UTF-8 without BOM, the XML declaration, Apple's
/// <c>DOCTYPE</c> and <c>&lt;plist version="1.0"&gt;</c>, tab-indented, text escaped by
/// <see cref="XmlWriter"/>. Accepts the value types <see cref="PlistDictionary"/> documents,
/// plus <see cref="int"/> (written as integer) and any non-string <see cref="IEnumerable"/> (array).
/// </summary>
public static class PlistWriter
{
    const string PublicId = "-//Apple//DTD PLIST 1.0//EN";
    const string SystemId = "http://www.apple.com/DTDs/PropertyList-1.0.dtd";

    public static byte[] Write(object root)
    {
        using var stream = new MemoryStream();
        Write(stream, root);
        return stream.ToArray();
    }

    public static void Write(Stream stream, object root)
    {
        var settings = new XmlWriterSettings
        {
            Encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
            Indent = true,
            IndentChars = "\t",
            NewLineChars = "\n",
            CloseOutput = false,
        };
        using var xml = XmlWriter.Create(stream, settings);
        xml.WriteStartDocument();
        xml.WriteDocType("plist", PublicId, SystemId, null);
        xml.WriteStartElement("plist");
        xml.WriteAttributeString("version", "1.0");
        WriteValue(xml, root);
        xml.WriteEndElement();
        xml.WriteEndDocument();
    }

    static void WriteValue(XmlWriter xml, object value)
    {
        switch (value)
        {
            case string text: xml.WriteElementString("string", text); break;
            case long number: xml.WriteElementString("integer", number.ToString(CultureInfo.InvariantCulture)); break;
            case int number: xml.WriteElementString("integer", number.ToString(CultureInfo.InvariantCulture)); break;
            case double real: xml.WriteElementString("real", FormatReal(real)); break;
            case bool flag: xml.WriteElementString(flag ? "true" : "false", null); break;
            case DateTimeOffset date: xml.WriteElementString("date", date.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)); break;
            case byte[] data: xml.WriteElementString("data", Convert.ToBase64String(data)); break;
            case PlistDictionary dict: WriteDict(xml, dict); break;
            case IEnumerable items: WriteArray(xml, items); break;
            default: throw new ArgumentException($"{value.GetType()} has no plist representation.", nameof(value));
        }
    }

    static void WriteDict(XmlWriter xml, PlistDictionary dict)
    {
        xml.WriteStartElement("dict");
        foreach (var (key, value) in dict)
        {
            xml.WriteElementString("key", key);
            WriteValue(xml, value);
        }
        xml.WriteFullEndElement();
    }

    static void WriteArray(XmlWriter xml, IEnumerable items)
    {
        xml.WriteStartElement("array");
        foreach (var item in items)
            WriteValue(xml, item ?? throw new ArgumentException("Plist arrays cannot hold null."));
        xml.WriteFullEndElement();
    }

    static string FormatReal(double real) => real switch
    {
        double.NaN => "nan",
        double.PositiveInfinity => "+infinity",
        double.NegativeInfinity => "-infinity",
        _ => real.ToString("R", CultureInfo.InvariantCulture),
    };
}
