using System.Collections;
using System.Globalization;
using ManagedDistribution.Features.Devices.Protocol;
using ManagedDistribution.Features.Devices.Protocol.Commands;
using ManagedDistribution.Features.Devices.Protocol.Plist;
using static ManagedDistribution.Tests.Features.Devices.Protocol.MdmTestData;

namespace ManagedDistribution.Tests.Features.Devices.Protocol;

/// <summary>
/// Our encoder and decoders against Apple's own YAML schemas (github.com/apple/device-management,
/// copied to shared/apple-device-management): key names, plist types, value lists, required keys.
/// </summary>
public class AppleSchemaConformanceTests
{
    [Theory]
    [MemberData(nameof(CommandSamples.Names), MemberType = typeof(CommandSamples))]
    public void Emitted_commands_match_Apples_schema(string name)
    {
        var (schemaFile, payload) = CommandSamples.All[name];
        var schema = AppleSchema.Load("mdm", "commands", schemaFile);
        // Check what the device receives: the command after encoding and decoding.
        var command = MdmCommand.Decode(payload.ToCommand("uuid").Encode()).Value!.Command;

        Assert.Equal(schema.RequestType, command["RequestType"]);
        command.Remove("RequestType");
        AssertConforms(schema.PayloadKeys, command, "");
    }

    [Fact]
    public void The_schema_reader_reads_what_the_checks_rely_on()
    {
        var install = AppleSchema.Load("mdm", "commands", "application.install.yaml");
        Assert.Equal("InstallApplication", install.RequestType);
        Assert.Equal("<integer>", install.Find("iTunesStoreID")?.Type);
        Assert.Equal(["0", "1"], install.Find("Options")!.SubKeys.Single().RangeList);
        Assert.Contains("UserRejected", install.ResponseKeys.Single(k => k.Key == "State").RangeList);
        Assert.Equal(["MessageType", "PushMagic", "Token", "Topic"],
            AppleSchema.Load("mdm", "checkin", "tokenupdate.yaml").PayloadKeys.Where(k => k.RequiredEverywhere).Select(k => k.Key).Order(StringComparer.Ordinal));
        // The enterprise variant is a different, macOS-only command (InstallEnterpriseApplication) that we never emit.
        Assert.Equal("InstallEnterpriseApplication", AppleSchema.Load("mdm", "commands", "application.install.enterprise.yaml").RequestType);
    }

    public static TheoryData<string, string> CheckinCases => new()
    {
        { "authenticate.yaml", "Authenticate.2.plist" },
        { "tokenupdate.yaml", "TokenUpdate.1.plist" },
        { "checkout.yaml", "" },
    };

    [Theory]
    [MemberData(nameof(CheckinCases))]
    public void Checkin_required_keys_match_Apples_schema(string schemaFile, string capture)
    {
        var schema = AppleSchema.Load("mdm", "checkin", schemaFile);
        var message = capture == "" ? Dict(("MessageType", "CheckOut"), ("Topic", Topic), ("UDID", "u")) : CaptureDictionary(capture);
        Assert.Equal(schema.RequestType, message["MessageType"]);

        foreach (var key in message.Keys)
        {
            var schemaKey = schema.Find(key);
            var error = CheckinMessage.Parse(Without(message, key)).Error;
            // UDID and EnrollmentID are each optional; one of them is required (tested in CheckinMessageErrorTests).
            var requiredHere = schemaKey?.RequiredEverywhere == true || key == "UDID";
            Assert.True(requiredHere == (error is not null), $"{schemaFile} {key}: schema required={requiredHere}, parser error={error?.Code}");
            if (schemaKey is not null && key != "MessageType") Assert.Equal(schemaKey.Type, PlistType(message[key]));
        }
        foreach (var key in schema.PayloadKeys.Where(k => k.RequiredEverywhere))
            Assert.True(message.ContainsKey(key.Key), $"{key.Key} is required everywhere but the sample lacks it");
    }

    [Fact]
    public void Response_keys_we_read_exist_in_Apples_schemas()
    {
        string[] Keys(string file) => AppleSchema.Load("mdm", "commands", file).ResponseKeys.Select(k => k.Key).ToArray();

        Assert.Empty(new[] { "Identifier", "State", "RejectionReason" }.Except(Keys("application.install.yaml")));
        Assert.Empty(new[] { "iTunesStoreID", "PersistentID", "State", "RejectionReason" }.Except(Keys("media.install.yaml")));
        Assert.Contains("InvitationResult", Keys("application.invitetoprogram.yaml"));
        var app = AppleSchema.Load("mdm", "commands", "application.managed.list.yaml").ResponseKeys.Single().SubKeys.Single();
        Assert.Empty(new[] { "Status", "ManagementFlags", "UnusedRedemptionCode", "HasConfiguration", "HasFeedback", "IsValidated", "ExternalVersionIdentifier" }
            .Except(app.SubKeys.Select(k => k.Key)));
        var book = AppleSchema.Load("mdm", "commands", "media.managed.list.yaml").ResponseKeys.Single().SubKeys.Single();
        Assert.Empty(new[] { "iTunesStoreID", "State", "PersistentID", "Kind", "Version", "Author", "Title" }.Except(book.SubKeys.Select(k => k.Key)));
    }

    static void AssertConforms(IReadOnlyList<SchemaKey> schemaKeys, PlistDictionary dict, string path)
    {
        foreach (var (key, value) in dict)
        {
            var schemaKey = schemaKeys.FirstOrDefault(k => k.Key == key) ?? schemaKeys.FirstOrDefault(k => k.Key == "ANY");
            Assert.True(schemaKey is not null, $"{path}{key} is not in Apple's schema");
            AssertValue(schemaKey, value, path + key);
        }
        foreach (var required in schemaKeys.Where(k => k.Required && k.Key != "ANY"))
            Assert.True(dict.ContainsKey(required.Key), $"{path}{required.Key} is required by Apple's schema");
    }

    static void AssertValue(SchemaKey schema, object value, string path)
    {
        if (schema.Type == "<any>") return;
        Assert.True(schema.Type == PlistType(value), $"{path} is {PlistType(value)}; Apple's schema says {schema.Type}");
        if (schema.RangeList.Count > 0)
            Assert.True(schema.RangeList.Contains(Convert.ToString(value, CultureInfo.InvariantCulture)!), $"{path} = {value} is not in {string.Join(",", schema.RangeList)}");
        if (value is PlistDictionary dict && schema.SubKeys.Count > 0)
            AssertConforms(schema.SubKeys, dict, path + ".");
        if (value is IReadOnlyList<object> items && schema.SubKeys is [var item])
            foreach (var element in items) AssertValue(item, element, path + "[]");
    }

    static string PlistType(object value) => value switch
    {
        string => "<string>",
        long or int => "<integer>",
        double => "<real>",
        bool => "<boolean>",
        DateTimeOffset => "<date>",
        byte[] => "<data>",
        PlistDictionary => "<dictionary>",
        IEnumerable => "<array>",
        _ => "?",
    };
}
