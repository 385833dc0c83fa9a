using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;

namespace ManagedDistribution.Features.Mail.Smtp;

/// <summary>
/// Sends through an SMTP server or relay (RFC 5321) with a small client of our own rather than
/// System.Net.Mail.SmtpClient, which Microsoft no longer recommends and which cannot trust one
/// extra CA without a process-wide callback, insist on STARTTLS, reuse a connection across a
/// batch, or tell a 4xx from a 5xx without parsing exception text. One connection per
/// <see cref="SendAsync"/>; <see cref="SendManyAsync"/> keeps one per worker.
/// </summary>
sealed class SmtpSender : IMailSender
{
    readonly Lazy<(X509Certificate2? Certificate, string? Problem)> trustedCa;

    public SmtpSender(IOptions<MailOptions> options, TimeProvider timeProvider, ILogger logger)
    {
        MailOptions = options.Value;
        From = new Mailbox(MailOptions.From, MailOptions.FromName);
        TimeProvider = timeProvider;
        Logger = logger;
        trustedCa = new(() => LoadTrustedCa(Options.TrustedCaPath));
    }

    public MailOptions MailOptions { get; }
    public SmtpOptions Options => MailOptions.Smtp;
    public Mailbox From { get; }
    public TimeProvider TimeProvider { get; }
    public ILogger Logger { get; }
    public X509Certificate2? TrustedCa => trustedCa.Value.Certificate;

    /// <summary>Why nothing can be sent with this configuration, or null.</summary>
    public string? ConfigurationProblem =>
        // App Service passes an unresolved Key Vault reference through as the literal text.
        !string.IsNullOrEmpty(Options.Username) && Options.Password is { } password
            && password.StartsWith("@Microsoft.KeyVault(", StringComparison.OrdinalIgnoreCase)
            ? "Mail:Smtp:Password is an unresolved Key Vault reference: check the secret exists and the app's identity can read it."
            : trustedCa.Value.Problem;

    public async Task<MailResult> SendAsync(MailMessage message, CancellationToken cancellationToken = default)
    {
        await using var session = new SmtpSession(this);
        return await session.SendAsync(message, cancellationToken);
    }

    public Task<IReadOnlyList<MailResult>> SendManyAsync(IReadOnlyList<MailMessage> messages, int? maxParallel = null,
        CancellationToken cancellationToken = default) =>
        MailBatch.SendManyAsync(messages, maxParallel ?? MailOptions.MaxParallel, () => new SmtpSession(this), cancellationToken);

    static (X509Certificate2?, string?) LoadTrustedCa(string? path)
    {
        if (string.IsNullOrEmpty(path)) return (null, null);
        try
        {
            return (X509CertificateLoader.LoadCertificateFromFile(path), null);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            return (null, $"Mail:Smtp:TrustedCaPath {path} cannot be loaded: {e.Message}");
        }
    }
}
