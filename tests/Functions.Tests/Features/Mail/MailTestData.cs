using ManagedDistribution.Features.Mail;
using Microsoft.Extensions.Options;

namespace ManagedDistribution.Tests.Features.Mail;

/// <summary>Messages and options shared by the mail tests: Dutch text and names with non-ASCII characters.</summary>
static class MailTestData
{
    public const string Subject = "Uitnodiging van Gemeente Ødegård & Zonen: apps en boeken — één klik";
    public const string TextBody = "Beste Jeroen,\n\nKlik op de link: https://example.org/invite?code=a&x=1\n.\n.begint met een punt\nCafé, crème brûlée en 👍 — klaar.   \nEinde";
    public const string HtmlBody = "<!DOCTYPE html><html><body><p>Beste <b>Jeroen</b>, één klik: <a href=\"https://example.org/invite?code=a&amp;x=1\">accepteren</a></p></body></html>";

    public static MailMessage Message(string to = "jeroen.vanderwiel@example.nl", string? id = null) =>
        new(new Mailbox(to, "Jeroen van der Wiel-Ørsted"), Subject, TextBody, HtmlBody)
        {
            MessageId = id,
            Headers = new Dictionary<string, string> { ["X-Campaign"] = "voorjaar 2026" },
        };

    public static IOptions<MailOptions> Options(Action<MailOptions>? configure = null)
    {
        var options = new MailOptions { From = "uitnodigingen@gemeente.example", FromName = "Gemeente Ødegård" };
        configure?.Invoke(options);
        return Microsoft.Extensions.Options.Options.Create(options);
    }

    public static string NewId() => "test-" + Guid.NewGuid().ToString("N");
}
