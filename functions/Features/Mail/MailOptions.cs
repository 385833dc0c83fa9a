using System.ComponentModel.DataAnnotations;

namespace ManagedDistribution.Features.Mail;

/// <summary>Which <see cref="IMailSender"/> delivers outbound mail (DESIGN.md R10).</summary>
public enum MailProvider
{
    /// <summary>Writes .eml files to <see cref="MailOptions.PickupDirectory"/>; nothing leaves the machine.</summary>
    Pickup,

    /// <summary>Direct SMTP or a relay ("send outgoing mail through the ISP"), see <see cref="SmtpOptions"/>.</summary>
    Smtp,

    /// <summary>The SendGrid v3 Mail Send API over HTTPS, see <see cref="SendGridOptions"/>.</summary>
    SendGrid,
}

/// <summary>Outbound mail settings (section <c>Mail</c>), validated at startup by <see cref="MailOptionsValidator"/>.</summary>
public sealed class MailOptions
{
    public const string SectionName = "Mail";

    public MailProvider Provider { get; set; } = MailProvider.Pickup;

    /// <summary>Sender address (the envelope sender and the <c>From</c> header).</summary>
    public string From { get; set; } = "managed-distribution@localhost";

    /// <summary>Display name shown with <see cref="From"/>, e.g. the organisation's name; empty for none.</summary>
    public string? FromName { get; set; } = "Managed Distribution";

    /// <summary>Folder for the <see cref="MailProvider.Pickup"/> provider, relative to the content root unless absolute; created if missing.</summary>
    public string PickupDirectory { get; set; } = ".data/mail-pickup";

    /// <summary>Folder whose <c>&lt;language&gt;/&lt;template&gt;.*</c> files replace the built-in templates; empty for the built-in ones only.</summary>
    public string? TemplateDirectory { get; set; }

    /// <summary>Messages in flight in <see cref="IMailSender.SendManyAsync"/> unless the caller says otherwise (SMTP: connections).</summary>
    [Range(1, 256)]
    public int MaxParallel { get; set; } = 8;

    public SmtpOptions Smtp { get; set; } = new();

    public SendGridOptions SendGrid { get; set; } = new();
}
