using System.Text;
using ManagedDistribution.Features.Devices.Protocol.Plist;
using static ManagedDistribution.Tests.Features.Devices.Protocol.MdmTestData;

namespace ManagedDistribution.Tests.Features.Devices.Protocol;

public class PlistTests
{
    [Fact]
    public void Reads_every_value_type()
    {
        var body = """
            <?xml version="1.0" encoding="UTF-8"?>
            <!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
            <plist version="1.0">
            <dict>
            	<key>s</key><string>a &lt;b&gt; &amp; &#233;</string>
            	<key>empty</key><string/>
            	<key>spaces</key><string>  </string>
            	<key>i</key><integer>-42</integer>
            	<key>big</key><integer>361309726</integer>
            	<key>r</key><real>1.5</real>
            	<key>nan</key><real>nan</real>
            	<key>t</key><true/>
            	<key>f</key><false/>
            	<key>d</key><date>2011-11-14T21:39:50Z</date>
            	<key>data</key><data>
            	YXBw
            	bGU=
            	</data>
            	<key>a</key><array><string>x</string><integer>1</integer><array/><dict/></array>
            	<!-- comments are ignored -->
            </dict>
            </plist>
            """;

        var dict = PlistReader.ReadDictionary(Encoding.UTF8.GetBytes(body));

        Assert.Equal("a <b> & é", dict["s"]);
        Assert.Equal("", dict["empty"]);
        Assert.Equal("  ", dict["spaces"]);
        Assert.Equal(-42L, dict["i"]);
        Assert.Equal(361309726L, dict["big"]);
        Assert.Equal(1.5, dict["r"]);
        Assert.True(double.IsNaN((double)dict["nan"]));
        Assert.Equal(true, dict["t"]);
        Assert.Equal(false, dict["f"]);
        Assert.Equal(new DateTimeOffset(2011, 11, 14, 21, 39, 50, TimeSpan.Zero), dict["d"]);
        Assert.Equal("apple"u8.ToArray(), dict["data"]);
        var array = Assert.IsAssignableFrom<IReadOnlyList<object>>(dict["a"]);
        Assert.Equal(4, array.Count);
        Assert.Equal(["s", "empty", "spaces", "i", "big", "r", "nan", "t", "f", "d", "data", "a"], dict.Keys);
    }

    [Fact]
    public void Writes_Apple_style_plists()
    {
        var text = Encoding.UTF8.GetString(PlistWriter.Write(Dict(("RequestType", "InstallApplication"), ("iTunesStoreID", 361309726L))));

        Assert.StartsWith("""
            <?xml version="1.0" encoding="UTF-8"?>
            <!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
            <plist version="1.0">
            <dict>
            	<key>RequestType</key>
            	<string>InstallApplication</string>
            	<key>iTunesStoreID</key>
            	<integer>361309726</integer>
            </dict>
            </plist>
            """, text);
        Assert.False(PlistWriter.Write(Dict()).AsSpan().StartsWith(Encoding.UTF8.Preamble), "no BOM");
    }

    [Fact]
    public void Text_is_escaped_and_round_trips()
    {
        const string nasty = "</string><key>Injected</key><string>&amp; \"quotes\" 'apos' ]]> é 🍎 tab\t crlf\r\n";

        var bytes = PlistWriter.Write(Dict((nasty, nasty)));
        var dict = PlistReader.ReadDictionary(bytes);

        Assert.Equal(nasty, Assert.Single(dict).Key);
        Assert.Equal(nasty, dict[nasty]);
    }

    [Fact]
    public void Every_type_round_trips()
    {
        var original = Dict(
            ("s", "text"), ("i", long.MinValue), ("n", 7), ("r", -0.25), ("inf", double.PositiveInfinity),
            ("t", true), ("f", false), ("d", new DateTimeOffset(2024, 2, 29, 23, 59, 59, TimeSpan.FromHours(2))),
            ("data", new byte[] { 0, 1, 2, 255 }), ("empty", Array.Empty<byte>()),
            ("a", new object[] { "x", 1L, Dict(("k", "v")) }), ("nested", Dict(("inner", Dict()))));

        var read = PlistReader.ReadDictionary(PlistWriter.Write(original));

        Assert.Equal("text", read["s"]);
        Assert.Equal(long.MinValue, read["i"]);
        Assert.Equal(7L, read["n"]);
        Assert.Equal(-0.25, read["r"]);
        Assert.Equal(double.PositiveInfinity, read["inf"]);
        Assert.Equal(true, read["t"]);
        Assert.Equal(false, read["f"]);
        Assert.Equal(new DateTimeOffset(2024, 2, 29, 21, 59, 59, TimeSpan.Zero), read["d"]);
        Assert.Equal(new byte[] { 0, 1, 2, 255 }, read["data"]);
        Assert.Equal(Array.Empty<byte>(), read["empty"]);
        var array = (IReadOnlyList<object>)read["a"];
        Assert.Equal("v", ((PlistDictionary)array[2])["k"]);
        Assert.Empty((PlistDictionary)((PlistDictionary)read["nested"])["inner"]);
        Assert.Equal(PlistWriter.Write(original), PlistWriter.Write(read));
    }

    [Fact]
    public void Captures_survive_read_write_read()
    {
        foreach (var name in CaptureNames())
        {
            var first = CaptureDictionary(name);
            var second = PlistReader.ReadDictionary(PlistWriter.Write(first));
            Assert.Equal(PlistWriter.Write(first), PlistWriter.Write(second));
            Assert.Equal(first.Keys, second.Keys);
        }
    }

    [Fact]
    public void Unsupported_values_are_rejected_by_the_writer()
    {
        Assert.Throws<ArgumentException>(() => PlistWriter.Write(Dict(("x", new Uri("https://example.org")))));
        Assert.Throws<ArgumentException>(() => PlistWriter.Write(Dict(("x", new object?[] { null }!))));
        Assert.Throws<ArgumentException>(() => PlistWriter.Write(Dict(("x", "bell \u0007"))));
    }

    [Theory]
    [InlineData(PlistErrorKind.TooLarge, 10, 32)]
    [InlineData(PlistErrorKind.TooDeep, 1024, 1)]
    public void Reader_limits_are_the_callers(PlistErrorKind expected, int maxBytes, int maxDepth)
    {
        var body = PlistWriter.Write(Dict(("a", Dict())));

        var error = Assert.Throws<PlistFormatException>(() => PlistReader.Read(body, maxBytes, maxDepth));
        Assert.Equal(expected, error.Kind);
    }
}
