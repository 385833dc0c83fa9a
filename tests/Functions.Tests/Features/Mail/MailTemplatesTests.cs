using ManagedDistribution.Features.Mail;
using ManagedDistribution.Features.Mail.Templates;

namespace ManagedDistribution.Tests.Features.Mail;

public sealed class MailTemplatesTests : IDisposable
{
    static readonly Uri Link = new("https://vpp.itunes.apple.com/invitation/abc123?lang=nl&src=mail");
    readonly string folder = System.IO.Directory.CreateTempSubdirectory("md-templates-").FullName;

    static InvitationMailModel Model(string? language, string organisation = "Gemeente Ødegård", string user = "Jeroen van der Wiel-Ørsted") =>
        new(organisation, user, Link, language);

    [Theory]
    [InlineData("nl", "nl")]
    [InlineData("nl-NL", "nl")]
    [InlineData("nl-BE", "nl")]
    [InlineData("NL_be", "nl")]
    [InlineData("nl-NL,nl;q=0.9,en;q=0.8", "nl")]
    [InlineData("en", "en")]
    [InlineData("en-GB", "en")]
    [InlineData("de-DE", "en")]
    [InlineData("fr", "en")]
    [InlineData("", "en")]
    [InlineData(null, "en")]
    [InlineData("../nl", "en")]
    public void TheLanguageFollowsTheUsersPreference(string? preferred, string expected) =>
        Assert.Equal(expected, new MailTemplates(directory: null).LanguageFor(preferred));

    [Fact]
    public void DutchUsersGetTheDutchInvitation()
    {
        var mail = new MailTemplates(directory: null).RenderInvitation(Model("nl-BE"));

        Assert.Equal("nl", mail.Language);
        Assert.Equal("Uitnodiging van Gemeente Ødegård: apps en boeken op je Apple-apparaten", mail.Subject);
        Assert.StartsWith("Beste Jeroen van der Wiel-Ørsted,", mail.TextBody);
        Assert.Contains(Link.AbsoluteUri, mail.TextBody);
        Assert.Contains("<html lang=\"nl\">", mail.HtmlBody);
        Assert.Contains("href=\"https://vpp.itunes.apple.com/invitation/abc123?lang=nl&amp;src=mail\"", mail.HtmlBody);
    }

    [Fact]
    public void EveryoneElseGetsTheEnglishInvitation()
    {
        var mail = new MailTemplates(directory: null).RenderInvitation(Model("de"));

        Assert.Equal("en", mail.Language);
        Assert.Equal("Invitation from Gemeente Ødegård: get apps and books on your Apple devices", mail.Subject);
        Assert.StartsWith("Hello Jeroen van der Wiel-Ørsted,", mail.TextBody);
        Assert.Contains(Link.AbsoluteUri, mail.TextBody);
        Assert.Contains("Accept the invitation", mail.HtmlBody);
    }

    [Fact]
    public void ValuesAreEscapedInHtmlAndLeftAloneInText()
    {
        var mail = new MailTemplates(directory: null).RenderInvitation(Model("en", "Smith & <Sons>", "O'Brien \"Bob\" <script>"));

        Assert.Contains("Smith &amp; &lt;Sons&gt;", mail.HtmlBody);
        Assert.Contains("O&#39;Brien &quot;Bob&quot; &lt;script&gt;", mail.HtmlBody);
        Assert.DoesNotContain("<Sons>", mail.HtmlBody);
        Assert.DoesNotContain("<script>", mail.HtmlBody);
        Assert.Contains("Smith & <Sons>", mail.TextBody);
        Assert.Contains("Invitation from Smith & <Sons>", mail.Subject);
    }

    public static TheoryData<string> Languages() => new(MailTemplates.BuiltInLanguages);

    [Theory]
    [MemberData(nameof(Languages))]
    public void EveryBuiltInTemplateUsesOnlyKnownPlaceholdersAndRendersThemAll(string language)
    {
        var templates = new MailTemplates(directory: null);
        foreach (var part in new[] { "subject.txt", "txt", "html" })
        {
            var text = templates.Load(language, "invitation." + part);
            Assert.Empty(TemplateRenderer.PlaceholdersIn(text).Except(InvitationMailModel.Placeholders));
            if (part != "subject.txt") Assert.Equal(InvitationMailModel.Placeholders.Order(), TemplateRenderer.PlaceholdersIn(text).Order());
        }
        var mail = templates.RenderInvitation(Model(language));
        Assert.Equal(language, mail.Language);
        Assert.All(new[] { mail.Subject, mail.TextBody, mail.HtmlBody }, text => Assert.DoesNotContain("{{", text));
        Assert.Contains("Gemeente Ødegård", mail.Subject);
    }

    [Fact]
    public void BothLanguagesShip() => Assert.Equal(["en", "nl"], MailTemplates.BuiltInLanguages);

    [Fact]
    public void AFolderOverridesFilesAndAddsLanguages()
    {
        System.IO.Directory.CreateDirectory(Path.Combine(folder, "nl"));
        File.WriteAllText(Path.Combine(folder, "nl", "invitation.subject.txt"), "Welkom bij {{organisationName}}, {{userFullName}}");
        System.IO.Directory.CreateDirectory(Path.Combine(folder, "de"));
        File.WriteAllText(Path.Combine(folder, "de", "invitation.subject.txt"), "Einladung von {{organisationName}}");
        File.WriteAllText(Path.Combine(folder, "de", "invitation.txt"), "Hallo {{userFullName}}: {{invitationUrl}}");
        File.WriteAllText(Path.Combine(folder, "de", "invitation.html"), "<p>Hallo {{userFullName}}: <a href=\"{{invitationUrl}}\">Annehmen</a></p>");
        var templates = new MailTemplates(folder);

        var dutch = templates.RenderInvitation(Model("nl"));
        var german = templates.RenderInvitation(Model("de-AT"));

        Assert.Equal("Welkom bij Gemeente Ødegård, Jeroen van der Wiel-Ørsted", dutch.Subject);
        Assert.StartsWith("Beste ", dutch.TextBody);
        Assert.Equal(("de", "Einladung von Gemeente Ødegård"), (german.Language, german.Subject));
        Assert.Empty(MailTemplates.ProblemsIn(folder));
    }

    [Fact]
    public void AFolderWithUnknownPlaceholdersOrMissingPartsIsReported()
    {
        System.IO.Directory.CreateDirectory(Path.Combine(folder, "fr"));
        File.WriteAllText(Path.Combine(folder, "fr", "invitation.subject.txt"), "Invitation de {{organisation}}");

        var problems = MailTemplates.ProblemsIn(folder).ToList();

        Assert.Contains(problems, p => p.Contains("{{organisation}}"));
        Assert.Contains(problems, p => p.EndsWith("invitation.txt is missing (every language needs subject.txt, txt and html)."));
        Assert.Contains(problems, p => p.Contains("invitation.html is missing"));
    }

    [Fact]
    public void APlaceholderWithoutAValueIsAnError()
    {
        var error = Assert.Throws<KeyNotFoundException>(() => TemplateRenderer.Render("Hi {{ name }}", new Dictionary<string, string>(), html: false));
        Assert.Contains("{{name}}", error.Message);
    }

    [Fact]
    public void ARenderedMailBecomesAMessage()
    {
        var message = new MailTemplates(directory: null).RenderInvitation(Model("nl")).To(new Mailbox("jeroen@example.nl", "Jeroen"), "invitation-1");
        Assert.Equal(("jeroen@example.nl", "invitation-1"), (message.To.Address, message.MessageId));
        Assert.StartsWith("Uitnodiging", message.Subject);
    }

    public void Dispose() => System.IO.Directory.Delete(folder, recursive: true);
}
