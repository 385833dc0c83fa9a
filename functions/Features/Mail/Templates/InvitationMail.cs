namespace ManagedDistribution.Features.Mail.Templates;

/// <summary>What an invitation mail says: the organisation, whom it greets, the link, and in which language.</summary>
public sealed record InvitationMailModel(string OrganisationName, string UserFullName, Uri InvitationUrl, string? PreferredLanguage)
{
    /// <summary>Template name: files <c>invitation.subject.txt</c>, <c>invitation.txt</c>, <c>invitation.html</c>.</summary>
    public const string TemplateName = "invitation";

    /// <summary>Every placeholder an invitation template may use.</summary>
    public static IReadOnlyList<string> Placeholders { get; } = ["organisationName", "userFullName", "invitationUrl"];

    public IReadOnlyDictionary<string, string> Values => new Dictionary<string, string>
    {
        ["organisationName"] = OrganisationName,
        ["userFullName"] = UserFullName,
        ["invitationUrl"] = InvitationUrl.AbsoluteUri,
    };
}

/// <summary>A rendered mail in one language, ready to address.</summary>
public sealed record RenderedMail(string Language, string Subject, string TextBody, string HtmlBody)
{
    /// <summary>The message to <paramref name="recipient"/>; pass a stable <paramref name="messageId"/> so a resend is recognised.</summary>
    public MailMessage To(Mailbox recipient, string? messageId = null) =>
        new(recipient, Subject, TextBody, HtmlBody) { MessageId = messageId };
}
