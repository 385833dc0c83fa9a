using ManagedDistribution.Features.Devices.Protocol.Commands;
using static ManagedDistribution.Tests.Features.Devices.Protocol.MdmTestData;

namespace ManagedDistribution.Tests.Features.Devices.Protocol;

/// <summary>Every command shape this server emits, by name, with the Apple schema file it must conform to.</summary>
public static class CommandSamples
{
    public static readonly IReadOnlyDictionary<string, (string Schema, MdmCommandPayload Command)> All =
        new Dictionary<string, (string, MdmCommandPayload)>
        {
            ["InstallApplication store VPP"] = ("application.install.yaml", InstallApplicationCommand.ForStoreApp(361309726) with
            {
                ManagementFlags = InstallApplicationCommand.RemoveWithProfile | InstallApplicationCommand.PreventBackup,
                ChangeManagementStateToManaged = true,
                Configuration = Dict(("ServerURL", "https://example.org"), ("Port", 443L)),
            }),
            ["InstallApplication macOS managed"] = ("application.install.yaml", InstallApplicationCommand.ForStoreApp(497799835) with
            {
                InstallAsManaged = true,
                ManagementFlags = InstallApplicationCommand.RemoveWithProfile,
                ChangeManagementStateToManaged = true,
            }),
            ["InstallApplication bundle id"] = ("application.install.yaml", new InstallApplicationCommand { Identifier = "com.apple.Pages", PurchaseMethod = 1 }),
            ["InstallApplication manifest"] = ("application.install.yaml", new InstallApplicationCommand { ManifestUrl = "https://apps.example.org/app.plist", ManagementFlags = 1 }),
            ["InstallMedia store book"] = ("media.install.yaml", InstallMediaCommand.ForStoreBook(1234567890)),
            ["InstallMedia enterprise book"] = ("media.install.yaml", new InstallMediaCommand
            {
                MediaUrl = "https://books.example.org/manual.pdf", PersistentId = "org.example.manual",
                Kind = "pdf", Version = "2", Author = "Example & Co", Title = "Manual <2024>",
            }),
            ["RemoveApplication"] = ("application.remove.yaml", new RemoveApplicationCommand { Identifier = "com.example.app" }),
            ["RemoveMedia store book"] = ("media.remove.yaml", new RemoveMediaCommand { ITunesStoreId = 1234567890 }),
            ["RemoveMedia enterprise book"] = ("media.remove.yaml", new RemoveMediaCommand { PersistentId = "org.example.manual" }),
            ["ManagedApplicationList all"] = ("application.managed.list.yaml", new ManagedApplicationListCommand()),
            ["ManagedApplicationList some"] = ("application.managed.list.yaml", new ManagedApplicationListCommand { Identifiers = ["com.example.a", "com.example.b"] }),
            ["ManagedMediaList"] = ("media.managed.list.yaml", new ManagedMediaListCommand()),
            ["InviteToProgram"] = ("application.invitetoprogram.yaml", new InviteToProgramCommand { InvitationUrl = "https://buy.itunes.apple.com/WebObjects/MZFinance.woa/wa/associateVPPUserWithITSAccount?inviteCode=abc&mt=8" }),
        };

    public static TheoryData<string> Names() => new(All.Keys);
}
