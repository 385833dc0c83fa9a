using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using ManagedDistribution.Platform.Security;

namespace ManagedDistribution.Features.Mail.Smtp;

/// <summary>
/// Opens a ready-to-send SMTP connection: greeting, EHLO (HELO for old servers), STARTTLS
/// (RFC 3207) as <see cref="SmtpOptions.StartTls"/> says, EHLO again, then AUTH PLAIN or LOGIN
/// (RFC 4954) when credentials are configured. Credentials are only ever sent over TLS.
/// </summary>
static class SmtpHandshake
{
    public static async Task<SmtpConnection> OpenAsync(SmtpOptions options, X509Certificate2? trustedCa, CancellationToken cancellationToken)
    {
        var connection = await SmtpConnection.ConnectAsync(options.Host!, options.Port, TimeSpan.FromSeconds(options.TimeoutSeconds), cancellationToken);
        try
        {
            var greeting = await connection.ReadReplyAsync(cancellationToken);
            if (greeting.Code != 220) throw SmtpRefusedException.From(greeting, "greeting", connectionUsable: false);
            var extensions = await HelloAsync(connection, ClientName(options), cancellationToken);
            extensions = await StartTlsAsync(connection, options, extensions, trustedCa, cancellationToken);
            if (!string.IsNullOrEmpty(options.Username)) await AuthenticateAsync(connection, options, extensions, cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>EHLO, falling back to HELO; answers the extension keywords with their parameters.</summary>
    static async Task<Dictionary<string, string>> HelloAsync(SmtpConnection connection, string clientName, CancellationToken cancellationToken)
    {
        var reply = await connection.CommandAsync("EHLO " + clientName, cancellationToken);
        if (reply.Code == 250)
            return reply.Lines.Skip(1)
                .Select(line => line.Split(' ', 2))
                .GroupBy(parts => parts[0].ToUpperInvariant())
                .ToDictionary(g => g.Key, g => g.First().ElementAtOrDefault(1) ?? "");
        var helo = await connection.CommandAsync("HELO " + clientName, cancellationToken);
        if (helo.Code != 250) throw SmtpRefusedException.From(helo, "HELO", connectionUsable: false);
        return [];
    }

    static async Task<Dictionary<string, string>> StartTlsAsync(SmtpConnection connection, SmtpOptions options,
        Dictionary<string, string> extensions, X509Certificate2? trustedCa, CancellationToken cancellationToken)
    {
        if (options.StartTls == StartTlsMode.None) return extensions;
        if (!extensions.ContainsKey("STARTTLS"))
        {
            if (options.StartTls == StartTlsMode.Required)
                throw SmtpRefusedException.Permanent("The SMTP server does not offer STARTTLS, and Mail:Smtp:StartTls is Required.");
            if (!string.IsNullOrEmpty(options.Username))
                throw SmtpRefusedException.Permanent("The SMTP server does not offer STARTTLS; credentials are only sent over TLS.");
            return extensions;
        }
        var reply = await connection.CommandAsync("STARTTLS", cancellationToken);
        if (reply.Code != 220) throw SmtpRefusedException.From(reply, "STARTTLS", connectionUsable: false);
        try
        {
            await connection.StartTlsAsync(TlsOptions(options.Host!, trustedCa), cancellationToken);
        }
        catch (AuthenticationException e)
        {
            throw SmtpRefusedException.Permanent("TLS with the SMTP server failed: " + (e.InnerException?.Message ?? e.Message));
        }
        // RFC 3207 §4.2: forget everything learnt before TLS and ask again.
        return await HelloAsync(connection, ClientName(options), cancellationToken);
    }

    static async Task AuthenticateAsync(SmtpConnection connection, SmtpOptions options, Dictionary<string, string> extensions,
        CancellationToken cancellationToken)
    {
        if (!connection.IsEncrypted) throw SmtpRefusedException.Permanent("Credentials are only sent over TLS, and this connection is not encrypted.");
        var mechanisms = extensions.GetValueOrDefault("AUTH", "").ToUpperInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        SmtpReply reply;
        if (mechanisms.Contains("PLAIN"))
        {
            reply = await connection.CommandAsync("AUTH PLAIN " + Base64($"\0{options.Username}\0{options.Password}"), cancellationToken);
        }
        else if (mechanisms.Contains("LOGIN"))
        {
            reply = await connection.CommandAsync("AUTH LOGIN", cancellationToken);
            if (reply.Code == 334) reply = await connection.CommandAsync(Base64(options.Username!), cancellationToken);
            if (reply.Code == 334) reply = await connection.CommandAsync(Base64(options.Password ?? ""), cancellationToken);
        }
        else
        {
            throw SmtpRefusedException.Permanent("The SMTP server offers neither AUTH PLAIN nor AUTH LOGIN.");
        }
        if (reply.Code != 235) throw SmtpRefusedException.From(reply, "AUTH", connectionUsable: false);
    }

    static SslClientAuthenticationOptions TlsOptions(string host, X509Certificate2? trustedCa) => new()
    {
        TargetHost = host,
        EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
        RemoteCertificateValidationCallback = trustedCa is null ? null : (_, server, _, errors) => CustomCaTrust.IsTrusted(server, errors, trustedCa),
    };


    static string ClientName(SmtpOptions options) =>
        string.IsNullOrWhiteSpace(options.ClientName) ? System.Net.Dns.GetHostName() : options.ClientName.Trim();

    static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
}
