using System.Text;
using ManagedDistribution.Features.Devices.Protocol;
using ManagedDistribution.Features.Devices.Protocol.Commands;
using ManagedDistribution.Features.Devices.Protocol.Plist;

namespace ManagedDistribution.Tests.Features.Devices.Protocol;

public class MdmCommandTests
{
    const string Uuid = "0F6A4D3B-7E3C-4C8B-9D55-2B1E8B0C9A11";

    [Theory]
    [MemberData(nameof(CommandSamples.Names), MemberType = typeof(CommandSamples))]
    public void Commands_round_trip_through_plist_bytes(string name)
    {
        var payload = CommandSamples.All[name].Command;
        var bytes = payload.ToCommand(Uuid).Encode();

        var envelope = MdmCommand.Decode(bytes);
        Assert.True(envelope.Succeeded, envelope.Error?.Detail);
        Assert.Equal(Uuid, envelope.Value.CommandUuid);
        Assert.Equal(payload.RequestType, envelope.Value.RequestType);
        var decoded = envelope.Value.DecodePayload();
        Assert.True(decoded.Succeeded, decoded.Error?.Detail);

        Assert.Equal(payload.GetType(), decoded.Value.GetType());
        Assert.Equal(bytes, decoded.Value.ToCommand(Uuid).Encode());
        if (payload is not (InstallApplicationCommand { Configuration: not null } or ManagedApplicationListCommand { Identifiers: not null }))
            Assert.Equal(payload, decoded.Value); // records compare by value unless they hold a collection
    }

    [Fact]
    public void InstallApplication_store_app_is_an_integer_VPP_install()
    {
        var command = InstallApplicationCommand.ForStoreApp(361309726).ToPlist();

        Assert.Equal("InstallApplication", command["RequestType"]);
        Assert.Equal(361309726L, command["iTunesStoreID"]);
        Assert.Equal(1L, ((PlistDictionary)command["Options"])["PurchaseMethod"]);
        Assert.False(command.ContainsKey("ChangeManagementState"));
    }

    [Fact]
    public void Envelope_is_CommandUUID_and_Command()
    {
        var text = Encoding.UTF8.GetString(new RemoveApplicationCommand { Identifier = "com.example.app" }.ToCommand(Uuid).Encode());

        Assert.Equal($"""
            <?xml version="1.0" encoding="UTF-8"?>
            <!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
            <plist version="1.0">
            <dict>
            	<key>CommandUUID</key>
            	<string>{Uuid}</string>
            	<key>Command</key>
            	<dict>
            		<key>RequestType</key>
            		<string>RemoveApplication</string>
            		<key>Identifier</key>
            		<string>com.example.app</string>
            	</dict>
            </dict>
            </plist>

            """, text);
    }

    public static TheoryData<string> InvalidCombinations => new(["none", "two", "media none", "media url without id", "remove media both"]);

    [Theory]
    [MemberData(nameof(InvalidCombinations))]
    public void Invalid_combinations_refuse_to_encode(string which)
    {
        MdmCommandPayload command = which switch
        {
            "none" => new InstallApplicationCommand { PurchaseMethod = 1 },
            "two" => new InstallApplicationCommand { ITunesStoreId = 1, Identifier = "com.example.app" },
            "media none" => new InstallMediaCommand(),
            "media url without id" => new InstallMediaCommand { MediaUrl = "https://example.org/b.pdf" },
            _ => new RemoveMediaCommand { ITunesStoreId = 1, PersistentId = "org.example.b" },
        };

        Assert.Throws<InvalidOperationException>(() => command.ToCommand(Uuid));
    }

    [Fact]
    public void Decoding_reports_unknown_request_types_and_bad_envelopes()
    {
        var unknown = MdmCommand.Decode(new MdmCommand(Uuid, MdmTestData.Dict(("RequestType", "EraseDevice"))).Encode()).Value!.DecodePayload();
        Assert.Equal(MdmParseErrorCode.UnknownMessageType, unknown.Error?.Code);
        Assert.Equal("EraseDevice", unknown.Error?.Value);

        var noUuid = MdmCommand.Decode(MdmTestData.Body(("Command", MdmTestData.Dict(("RequestType", "ManagedMediaList")))));
        Assert.Equal(("CommandUUID", MdmParseErrorCode.MissingKey), (noUuid.Error?.Key, noUuid.Error!.Code));

        var twoSources = MdmCommandPayload.Decode(MdmTestData.Dict(("RequestType", "InstallApplication"), ("iTunesStoreID", 1L), ("Identifier", "x")));
        Assert.Equal(MdmParseErrorCode.InvalidValue, twoSources.Error?.Code);

        var stringStoreId = MdmCommandPayload.Decode(MdmTestData.Dict(("RequestType", "InstallApplication"), ("iTunesStoreID", "1")));
        Assert.Equal(MdmParseErrorCode.WrongType, stringStoreId.Error?.Code);
    }
}
