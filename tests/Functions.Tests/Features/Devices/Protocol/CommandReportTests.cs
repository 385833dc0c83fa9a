using System.Text;
using ManagedDistribution.Features.Devices.Protocol;
using ManagedDistribution.Features.Devices.Protocol.Commands;
using static ManagedDistribution.Tests.Features.Devices.Protocol.MdmTestData;

namespace ManagedDistribution.Tests.Features.Devices.Protocol;

public class CommandReportTests
{
    const string Udid = "663b07bb783e9ade1dae4fbb92ea12afc0ce5b69";
    const string Uuid = "0F6A4D3B-7E3C-4C8B-9D55-2B1E8B0C9A11";

    static CommandReport Parse(byte[] body)
    {
        var result = CommandReport.Parse(body);
        Assert.True(result.Succeeded, result.Error?.Detail);
        return result.Value;
    }

    [Theory]
    [InlineData("Idle", CommandStatus.Idle, false)]
    [InlineData("Acknowledged", CommandStatus.Acknowledged, true)]
    [InlineData("Error", CommandStatus.Error, true)]
    [InlineData("CommandFormatError", CommandStatus.CommandFormatError, true)]
    [InlineData("NotNow", CommandStatus.NotNow, false)]
    public void Each_status_parses(string status, CommandStatus expected, bool terminal)
    {
        var report = Parse(status == "Idle"
            ? Body(("Status", status), ("UDID", Udid))
            : Body(("Status", status), ("UDID", Udid), ("CommandUUID", Uuid)));

        Assert.Equal(expected, report.Status);
        Assert.Equal(terminal, report.IsTerminal);
        Assert.Equal(status == "Idle" ? null : Uuid, report.CommandUuid);
        Assert.Equal(Udid, report.Identity.DeviceChannelId);
        Assert.Empty(report.ErrorChain);
    }

    [Fact]
    public void Error_reports_carry_the_ErrorChain_in_order()
    {
        var report = Parse(Body(("Status", "Error"), ("UDID", Udid), ("CommandUUID", Uuid), ("RejectionReason", "PurchaseMethodNotSupported"),
            ("ErrorChain", new object[]
            {
                Dict(("ErrorCode", 12035L), ("ErrorDomain", "MCMDMErrorDomain"), ("LocalizedDescription", "L1"), ("USEnglishDescription", "The app could not be installed.")),
                Dict(("ErrorCode", 4L), ("ErrorDomain", "ASDErrorDomain")),
            })));

        Assert.Equal(2, report.ErrorChain.Count);
        Assert.Equal(new MdmErrorChainEntry(12035, "MCMDMErrorDomain", "L1", "The app could not be installed."), report.ErrorChain[0]);
        Assert.Equal(new MdmErrorChainEntry(4, "ASDErrorDomain", null, null), report.ErrorChain[1]);
        Assert.Equal(new InstallApplicationResponse(null, null, "PurchaseMethodNotSupported"), InstallApplicationResponse.Parse(report).Value);
    }

    [Fact]
    public void User_channel_reports_name_the_user()
    {
        var report = Parse(Body(("Status", "Idle"), ("UDID", Udid), ("UserID", "501-GUID"), ("UserShortName", "ada"), ("UserLongName", "Ada")));

        Assert.Equal("501-GUID", report.Identity.UserChannelId);
        Assert.True(report.Identity.IsUserChannel);
    }

    [Fact]
    public void ManagedApplicationList_response_lists_apps_by_bundle_id()
    {
        var body = """
            <?xml version="1.0" encoding="UTF-8"?>
            <!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
            <plist version="1.0">
            <dict>
                <key>CommandUUID</key><string>0F6A4D3B-7E3C-4C8B-9D55-2B1E8B0C9A11</string>
                <key>ManagedApplicationList</key>
                <dict>
                    <key>com.apple.Pages</key>
                    <dict>
                        <key>ExternalVersionIdentifier</key><integer>859518745</integer>
                        <key>HasConfiguration</key><false/>
                        <key>HasFeedback</key><false/>
                        <key>IsValidated</key><true/>
                        <key>ManagementFlags</key><integer>1</integer>
                        <key>Status</key><string>Managed</string>
                    </dict>
                    <key>com.example.gone</key>
                    <dict>
                        <key>Status</key><string>UserRejected</string>
                    </dict>
                </dict>
                <key>Status</key><string>Acknowledged</string>
                <key>UDID</key><string>663b07bb783e9ade1dae4fbb92ea12afc0ce5b69</string>
            </dict>
            </plist>
            """;

        var report = Parse(Encoding.UTF8.GetBytes(body));
        var list = ManagedApplicationListResponse.Parse(report);

        Assert.True(list.Succeeded, list.Error?.Detail);
        Assert.Equal(
            [new ManagedApplication("com.apple.Pages", "Managed", 1, null, false, false, true, 859518745), new ManagedApplication("com.example.gone", "UserRejected")],
            list.Value.Applications);
    }

    [Fact]
    public void ManagedMediaList_response_lists_books()
    {
        var report = Parse(Body(("Status", "Acknowledged"), ("UDID", Udid), ("CommandUUID", Uuid), ("Books", new object[]
        {
            Dict(("iTunesStoreID", 1234567890L), ("State", "Installed"), ("Title", "Store book")),
            Dict(("PersistentID", "org.example.manual"), ("State", "Managed"), ("Kind", "pdf"), ("Version", "2"), ("Author", "Example")),
        })));

        var books = ManagedMediaListResponse.Parse(report).Value!.Books;

        Assert.Equal(new ManagedBook(1234567890, "Installed", Title: "Store book"), books[0]);
        Assert.Equal(new ManagedBook(null, "Managed", "org.example.manual", "pdf", "2", "Example"), books[1]);
    }

    [Fact]
    public void Query_responses_read_their_keys()
    {
        var invite = Parse(Body(("Status", "Acknowledged"), ("UDID", Udid), ("CommandUUID", Uuid), ("InvitationResult", "InvalidInvitationURL")));
        Assert.Equal("InvalidInvitationURL", InviteToProgramResponse.Parse(invite).Value?.InvitationResult);

        var install = Parse(Body(("Status", "Acknowledged"), ("UDID", Udid), ("CommandUUID", Uuid), ("Identifier", "com.apple.Pages"), ("State", "Queued")));
        Assert.Equal(new InstallApplicationResponse("com.apple.Pages", "Queued", null), InstallApplicationResponse.Parse(install).Value);

        var media = Parse(Body(("Status", "Error"), ("UDID", Udid), ("CommandUUID", Uuid), ("iTunesStoreID", 42L), ("MediaType", "Book"), ("RejectionReason", "PurchaseNotFound")));
        Assert.Equal(new InstallMediaResponse(42, null, null, "PurchaseNotFound"), InstallMediaResponse.Parse(media).Value);

        var missing = InviteToProgramResponse.Parse(install);
        Assert.Equal(("InvitationResult", MdmParseErrorCode.MissingKey), (missing.Error?.Key, missing.Error!.Code));
        Assert.Equal(MdmParseErrorCode.MissingKey, ManagedApplicationListResponse.Parse(install).Error?.Code);
        Assert.Equal(MdmParseErrorCode.MissingKey, ManagedMediaListResponse.Parse(install).Error?.Code);
    }

    [Theory]
    [InlineData("Bogus", MdmParseErrorCode.InvalidValue, "Status")]
    [InlineData("1", MdmParseErrorCode.InvalidValue, "Status")]
    [InlineData("acknowledged", MdmParseErrorCode.InvalidValue, "Status")]
    [InlineData("Acknowledged", MdmParseErrorCode.MissingKey, "CommandUUID")]
    [InlineData("NotNow", MdmParseErrorCode.MissingKey, "CommandUUID")]
    public void Bad_reports_are_typed_errors(string status, MdmParseErrorCode code, string key)
    {
        var error = CommandReport.Parse(Body(("Status", status), ("UDID", Udid))).Error;

        Assert.Equal((code, key), (error?.Code, error?.Key));
    }

    [Fact]
    public void Reports_without_status_or_device_are_MissingKey()
    {
        Assert.Equal("Status", CommandReport.Parse(Body(("UDID", Udid))).Error?.Key);
        Assert.Equal("UDID", CommandReport.Parse(Body(("Status", "Idle"))).Error?.Key);
        Assert.Equal(MdmParseErrorCode.WrongType, CommandReport.Parse(Body(("Status", "Error"), ("UDID", Udid), ("CommandUUID", Uuid), ("ErrorChain", "oops"))).Error?.Code);
    }
}
