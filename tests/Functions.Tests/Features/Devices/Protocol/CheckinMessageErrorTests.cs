using System.Net;
using System.Net.Sockets;
using System.Text;
using ManagedDistribution.Features.Devices.Protocol;
using static ManagedDistribution.Tests.Features.Devices.Protocol.MdmTestData;

namespace ManagedDistribution.Tests.Features.Devices.Protocol;

/// <summary>Hostile and broken check-in bodies: each gives a typed error and nothing else is thrown.</summary>
public class CheckinMessageErrorTests
{
    const string Head = """<?xml version="1.0" encoding="UTF-8"?>""";

    static MdmParseError ParseError(string body, int maxBytes = 1024 * 1024) => ParseError(Encoding.UTF8.GetBytes(body), maxBytes);

    static MdmParseError ParseError(byte[] body, int maxBytes = 1024 * 1024)
    {
        var result = CheckinMessage.Parse(body, maxBytes);
        Assert.False(result.Succeeded, "expected a parse error");
        return result.Error;
    }

    [Fact]
    public void Every_truncation_of_every_capture_is_a_typed_error()
    {
        foreach (var name in CaptureNames())
        {
            var capture = Capture(name);
            var complete = Encoding.UTF8.GetString(capture).IndexOf("</plist>", StringComparison.Ordinal) + "</plist>".Length;
            for (var length = 0; length < complete; length++)
                Assert.Equal(MdmParseErrorCode.MalformedPlist, ParseError(capture[..length]).Code);
        }
    }

    public static TheoryData<string, string> Garbage => new()
    {
        { "empty", "" },
        { "not xml", "MessageType=Authenticate" },
        { "binary plist", "bplist00\u00d1\u0001\u0002" },
        { "wrong root", Head + "<dict><key>MessageType</key><string>Authenticate</string></dict>" },
        { "array root", Head + "<plist version=\"1.0\"><array/></plist>" },
        { "two values", Head + "<plist><dict/><dict/></plist>" },
        { "key without value", Head + "<plist><dict><key>MessageType</key></dict></plist>" },
        { "duplicate key", Head + "<plist><dict><key>A</key><string>x</string><key>A</key><string>y</string></dict></plist>" },
        { "unknown element", Head + "<plist><dict><key>A</key><uid>1</uid></dict></plist>" },
        { "bad base64", Head + "<plist><dict><key>Token</key><data>!!!</data></dict></plist>" },
        { "integer overflow", Head + "<plist><dict><key>N</key><integer>99999999999999999999</integer></dict></plist>" },
        { "bad date", Head + "<plist><dict><key>D</key><date>yesterday</date></dict></plist>" },
        { "text in dict", Head + "<plist><dict>hello</dict></plist>" },
        { "content in true", Head + "<plist><dict><key>B</key><true>yes</true></dict></plist>" },
        { "trailing element", Head + "<plist><dict/></plist><dict/>" },
    };

    [Theory]
    [MemberData(nameof(Garbage))]
    public void Malformed_bodies_are_MalformedPlist(string description, string body)
    {
        Assert.Equal(MdmParseErrorCode.MalformedPlist, ParseError(body).Code);
        Assert.NotEmpty(description);
    }

    [Fact]
    public void Entities_declared_in_a_DOCTYPE_are_never_expanded_or_fetched()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var url = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/";
        string[] attacks =
        [
            // XXE: a file and a URL as external general entities
            Head + $"""<!DOCTYPE plist [<!ENTITY xxe SYSTEM "file:///etc/passwd"><!ENTITY web SYSTEM "{url}x">]><plist><dict><key>MessageType</key><string>&xxe;&web;</string></dict></plist>""",
            // internal entity: would turn into a valid message if expanded
            Head + """<!DOCTYPE plist [<!ENTITY t "Authenticate">]><plist><dict><key>MessageType</key><string>&t;</string><key>Topic</key><string>x</string><key>UDID</key><string>u</string></dict></plist>""",
            // billion laughs
            Head + """<!DOCTYPE plist [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><plist><dict><key>MessageType</key><string>&c;</string></dict></plist>""",
        ];

        foreach (var attack in attacks)
            Assert.Equal(MdmParseErrorCode.MalformedPlist, ParseError(attack).Code);

        // An external DTD and a parameter entity are skipped, not fetched: the message itself still parses.
        var parameterEntity = Head + $"""<!DOCTYPE plist SYSTEM "{url}dtd" [<!ENTITY % p SYSTEM "{url}p"> %p;]><plist><dict><key>MessageType</key><string>CheckOut</string><key>Topic</key><string>x</string><key>UDID</key><string>u</string></dict></plist>""";
        Assert.IsType<CheckOut>(CheckinMessage.Parse(Encoding.UTF8.GetBytes(parameterEntity)).Value);
        Assert.False(listener.Pending(), "the parser opened a connection");
    }

    [Theory]
    [InlineData(33)]
    [InlineData(100_000)]
    public void Deep_nesting_is_NestingTooDeep(int depth)
    {
        var body = Head + "<plist><dict><key>MessageType</key><string>Authenticate</string><key>X</key>"
            + string.Concat(Enumerable.Repeat("<array>", depth)) + string.Concat(Enumerable.Repeat("</array>", depth)) + "</dict></plist>";

        Assert.Equal(MdmParseErrorCode.NestingTooDeep, ParseError(body, maxBytes: 2 * 1024 * 1024).Code);
    }

    [Fact]
    public void Oversize_bodies_are_BodyTooLarge()
    {
        Assert.Equal(MdmParseErrorCode.BodyTooLarge, ParseError(Capture("Authenticate.1.plist"), maxBytes: 100).Code);
        Assert.Equal(MdmParseErrorCode.BodyTooLarge, ParseError(new byte[1024 * 1024 + 1]).Code);
    }

    [Fact]
    public void Unknown_MessageType_names_the_type()
    {
        var error = ParseError(With(CaptureDictionary("Authenticate.2.plist"), "MessageType", "UserAuthenticate"));

        Assert.Equal(MdmParseErrorCode.UnknownMessageType, error.Code);
        Assert.Equal("UserAuthenticate", error.Value);
    }

    [Fact]
    public void Missing_MessageType_is_its_own_error()
    {
        Assert.Equal(MdmParseErrorCode.MissingMessageType, ParseError(Without(CaptureDictionary("Authenticate.1.plist"), "MessageType")).Code);
    }

    [Theory]
    [InlineData("Authenticate.1.plist", "Topic")]
    [InlineData("TokenUpdate.1.plist", "Topic")]
    [InlineData("TokenUpdate.1.plist", "Token")]
    [InlineData("TokenUpdate.1.plist", "PushMagic")]
    [InlineData("TokenUpdate.2.plist", "UDID")]
    public void Missing_required_keys_are_MissingKey(string capture, string key)
    {
        var error = ParseError(Without(CaptureDictionary(capture), key));

        Assert.Equal(MdmParseErrorCode.MissingKey, error.Code);
        Assert.Equal(key, error.Key);
    }

    [Theory]
    [InlineData("Token", "not data")]
    [InlineData("PushMagic", 42L)]
    [InlineData("AwaitingConfiguration", "false")]
    [InlineData("UDID", true)]
    public void Keys_of_the_wrong_type_are_WrongType(string key, object value)
    {
        var error = ParseError(With(CaptureDictionary("TokenUpdate.1.plist"), key, value));

        Assert.Equal(MdmParseErrorCode.WrongType, error.Code);
        Assert.Equal(key, error.Key);
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        var random = new Random(1234);
        var capture = Capture("TokenUpdate.1.plist");
        for (var i = 0; i < 2_000; i++)
        {
            var mutated = (byte[])capture.Clone();
            for (var flips = 0; flips < 1 + i % 8; flips++)
                mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
            var result = CheckinMessage.Parse(mutated); // either outcome is fine; an exception is not
            Assert.True(result.Succeeded || result.Error is not null);
        }
    }
}
