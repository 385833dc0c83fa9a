using System.ComponentModel.DataAnnotations;
using ManagedDistribution.Features.Mail.Mime;
using ManagedDistribution.Features.Mail.Templates;
using Microsoft.Extensions.Options;

namespace ManagedDistribution.Features.Mail;

/// <summary>
/// Startup checks of the <c>Mail</c> section, each failure naming the key to fix. Only the
/// chosen provider's settings must be complete. A SendGrid key that is an unresolved Key Vault
/// reference is reported per send instead, so the rest of the app still starts.
/// </summary>
sealed class MailOptionsValidator(IHostEnvironment environment) : IValidateOptions<MailOptions>
{
    public ValidateOptionsResult Validate(string? name, MailOptions options)
    {
        var failures = new List<string>();
        if (!MessageRules.IsValidAddress(options.From))
            failures.Add($"Mail:From '{options.From}' is not a valid ASCII e-mail address (e.g. no-reply@example.org).");
        if (!Enum.IsDefined(options.Provider))
            failures.Add("Mail:Provider must be Pickup, Smtp or SendGrid.");
        switch (options.Provider)
        {
            case MailProvider.Pickup when string.IsNullOrWhiteSpace(options.PickupDirectory):
                failures.Add("Mail:Provider is Pickup but Mail:PickupDirectory is empty: set the folder the .eml files go to.");
                break;
            case MailProvider.Smtp:
                failures.AddRange(SmtpFailures(options.Smtp));
                break;
            case MailProvider.SendGrid:
                failures.AddRange(SendGridFailures(options.SendGrid));
                break;
        }
        if (MailTemplates.ResolveDirectory(options.TemplateDirectory, environment.ContentRootPath) is { } templates)
        {
            if (!System.IO.Directory.Exists(templates)) failures.Add($"Mail:TemplateDirectory {templates} does not exist.");
            else failures.AddRange(MailTemplates.ProblemsIn(templates).Select(p => "Mail:TemplateDirectory: " + p));
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    static IEnumerable<string> SmtpFailures(SmtpOptions smtp)
    {
        if (string.IsNullOrWhiteSpace(smtp.Host))
            yield return "Mail:Provider is Smtp but Mail:Smtp:Host is not set: set the SMTP server or relay (e.g. smtp.example.org, port 587).";
        foreach (var failure in Annotations(smtp, "Mail:Smtp:")) yield return failure;
        if (!string.IsNullOrEmpty(smtp.Username))
        {
            if (smtp.StartTls == StartTlsMode.None)
                yield return "Mail:Smtp:Username is set but Mail:Smtp:StartTls is None: credentials are only sent over TLS; use Auto or Required.";
            if (string.IsNullOrEmpty(smtp.Password))
                yield return "Mail:Smtp:Username is set but Mail:Smtp:Password is empty.";
        }
        if (!string.IsNullOrEmpty(smtp.TrustedCaPath) && !File.Exists(smtp.TrustedCaPath))
            yield return $"Mail:Smtp:TrustedCaPath {smtp.TrustedCaPath} does not exist.";
    }

    static IEnumerable<string> SendGridFailures(SendGridOptions sendGrid)
    {
        if (string.IsNullOrWhiteSpace(sendGrid.ApiKey))
            yield return "Mail:Provider is SendGrid but Mail:SendGrid:ApiKey is not set: create an API key with the Mail Send permission.";
        if (sendGrid.BaseUrl is not { IsAbsoluteUri: true, Scheme: "https" or "http" })
            yield return "Mail:SendGrid:BaseUrl must be an absolute http(s) URL, e.g. https://api.sendgrid.com/.";
        foreach (var failure in Annotations(sendGrid, "Mail:SendGrid:")) yield return failure;
    }

    /// <summary>Data annotations of a nested section, which ValidateDataAnnotations does not visit.</summary>
    static IEnumerable<string> Annotations(object section, string prefix)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(section, new ValidationContext(section), results, validateAllProperties: true);
        return results.Select(r => prefix + string.Join(",", r.MemberNames) + ": " + r.ErrorMessage);
    }
}
