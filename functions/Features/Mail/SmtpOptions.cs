using System.ComponentModel.DataAnnotations;

namespace ManagedDistribution.Features.Mail;

/// <summary>When the SMTP client upgrades the connection with STARTTLS (RFC 3207).</summary>
public enum StartTlsMode
{
    /// <summary>Upgrade when the server offers STARTTLS; stay in clear text otherwise (and then never authenticate).</summary>
    Auto,

    /// <summary>Refuse to send unless the server offers STARTTLS and the upgrade succeeds.</summary>
    Required,

    /// <summary>Never upgrade (a relay on a trusted network); credentials are then refused.</summary>
    None,
}

/// <summary>SMTP settings (<c>Mail:Smtp</c>): a server on port 25 (direct) or 587 (submission to a relay).</summary>
public sealed class SmtpOptions
{
    public string? Host { get; set; }

    [Range(1, 65535)]
    public int Port { get; set; } = 587;

    public StartTlsMode StartTls { get; set; } = StartTlsMode.Auto;

    /// <summary>AUTH PLAIN/LOGIN user name; empty sends without authenticating. Credentials only ever travel over TLS.</summary>
    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>PEM or DER CA certificate trusted for the server besides the system roots (a private relay, the tests' CA).</summary>
    public string? TrustedCaPath { get; set; }

    /// <summary>Name sent in EHLO; empty uses the machine's host name.</summary>
    public string? ClientName { get; set; }

    /// <summary>Limit for connecting and for each command's answer (DATA included).</summary>
    [Range(1, 600)]
    public int TimeoutSeconds { get; set; } = 30;
}

/// <summary>SendGrid v3 Mail Send settings (<c>Mail:SendGrid</c>).</summary>
public sealed class SendGridOptions
{
    [Required]
    public Uri BaseUrl { get; set; } = new("https://api.sendgrid.com/");

    /// <summary>API key with the Mail Send permission (in Azure a Key Vault reference). Never logged.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Retries after 429/5xx/connection failures before answering <see cref="MailResult.RetryLater"/>.</summary>
    [Range(0, 10)]
    public int MaxRetries { get; set; } = 3;

    /// <summary>First back-off delay; doubles per attempt, jittered. A Retry-After header takes precedence.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait before a retry; a longer Retry-After ends the attempts with <see cref="MailResult.RetryLater"/>.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
