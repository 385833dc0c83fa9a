using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using ManagedDistribution.AppleEmulator.Certificates;
using ManagedDistribution.Features.Mail;
using ManagedDistribution.Features.Mail.Smtp;
using ManagedDistribution.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace ManagedDistribution.Tests.Features.Mail;

/// <summary>The SMTP provider against a real SMTP server (aiosmtpd), with and without STARTTLS and AUTH.</summary>
public sealed class SmtpSenderTests : IDisposable
{
    const string User = "relay-user";
    const string Password = "s3cret-relay-pässword";

    static readonly Lazy<TlsFiles> Tls = new(WriteTlsFiles);

    readonly CapturingLoggerProvider logs = new();

    SmtpSender NewSender(SmtpTestServer server, Action<SmtpOptions>? configure = null) =>
        NewSender(server.Port, configure);

    SmtpSender NewSender(int port, Action<SmtpOptions>? configure = null)
    {
        var options = MailTestData.Options(o =>
        {
            o.Provider = MailProvider.Smtp;
            o.Smtp.Host = "127.0.0.1";
            o.Smtp.Port = port;
            o.Smtp.TimeoutSeconds = 20;
            configure?.Invoke(o.Smtp);
        });
        return new SmtpSender(options, TimeProvider.System, logs.CreateLogger(nameof(SmtpSender)));
    }

    [Fact]
    public async Task PlainSmtpDeliversTheMessageWithDotStuffingUndone()
    {
        await using var server = await SmtpTestServer.StartAsync();
        var id = MailTestData.NewId();

        var result = await NewSender(server).SendAsync(MailTestData.Message(id: id), TestContext.Current.CancellationToken);

        Assert.Equal(new MailResult.Sent(id), result);
        var received = Assert.Single(server.Received);
        Assert.Equal("uitnodigingen@gemeente.example", received.Envelope.MailFrom);
        Assert.Equal(["jeroen.vanderwiel@example.nl"], received.Envelope.RcptTos);
        Assert.False(received.Envelope.Tls);
        var mail = received.Parse();
        Assert.Empty(mail.Defects);
        Assert.Equal(MailTestData.Subject, mail.Headers["Subject"]);
        Assert.Equal($"<{id}@gemeente.example>", mail.Headers["Message-ID"]);
        // The text has lines "." and ".begint…": they survive the DATA transparency rule intact.
        Assert.Equal(MailTestData.TextBody, mail.Part("text/plain").Lf.TrimEnd('\n'));
        Assert.Equal(MailTestData.HtmlBody, mail.Part("text/html").Lf.TrimEnd('\n'));
    }

    [Fact]
    public async Task RequiredStartTlsWithTheConfiguredCaSendsOverTls()
    {
        await using var server = await SmtpTestServer.StartAsync(Tls.Value, requireTls: true);
        var sender = NewSender(server, s => { s.StartTls = StartTlsMode.Required; s.TrustedCaPath = Tls.Value.CaPath; });

        Assert.IsType<MailResult.Sent>(await sender.SendAsync(MailTestData.Message(), TestContext.Current.CancellationToken));

        Assert.True(Assert.Single(server.Received).Envelope.Tls);
    }

    [Fact]
    public async Task AnUntrustedServerCertificateFailsAndNothingIsSent()
    {
        await using var server = await SmtpTestServer.StartAsync(Tls.Value, requireTls: true);
        var sender = NewSender(server, s => s.StartTls = StartTlsMode.Required);

        var failed = Assert.IsType<MailResult.Failed>(await sender.SendAsync(MailTestData.Message(), TestContext.Current.CancellationToken));

        Assert.Contains("TLS", failed.Reason);
        Assert.Empty(server.Received);
    }

    [Fact]
    public async Task RequiredStartTlsRefusesAServerThatDoesNotOfferIt()
    {
        await using var server = await SmtpTestServer.StartAsync();
        var sender = NewSender(server, s => s.StartTls = StartTlsMode.Required);

        var failed = Assert.IsType<MailResult.Failed>(await sender.SendAsync(MailTestData.Message(), TestContext.Current.CancellationToken));

        Assert.Contains("does not offer STARTTLS", failed.Reason);
        Assert.Empty(server.Received);
    }

    [Fact]
    public async Task AuthenticatesAfterStartTlsAndNeverLogsThePassword()
    {
        await using var server = await SmtpTestServer.StartAsync(Tls.Value, requireTls: true, auth: $"{User}:{Password}");
        var sender = NewSender(server, s => { s.TrustedCaPath = Tls.Value.CaPath; s.Username = User; s.Password = Password; });

        var results = await sender.SendManyAsync([MailTestData.Message(), MailTestData.Message("reject@example.nl")], 1, TestContext.Current.CancellationToken);

        Assert.IsType<MailResult.Sent>(results[0]);
        Assert.IsType<MailResult.Failed>(results[1]);
        var received = Assert.Single(server.Received);
        Assert.Equal((true, User), (received.Envelope.Tls, received.Envelope.Login));
        Assert.NotEmpty(logs.Entries);
        Assert.DoesNotContain(logs.Entries, e => e.AllText.Contains(Password) || e.AllText.Contains("Klik op de link"));
    }

    [Fact]
    public async Task WrongCredentialsArePermanent()
    {
        await using var server = await SmtpTestServer.StartAsync(Tls.Value, auth: $"{User}:{Password}");
        var sender = NewSender(server, s => { s.TrustedCaPath = Tls.Value.CaPath; s.Username = User; s.Password = "wrong"; });

        var failed = Assert.IsType<MailResult.Failed>(await sender.SendAsync(MailTestData.Message(), TestContext.Current.CancellationToken));

        Assert.Contains("AUTH refused: 535", failed.Reason);
    }

    [Fact]
    public async Task TransientRefusalsAreRetryLaterAndPermanentOnesFailed()
    {
        await using var server = await SmtpTestServer.StartAsync();
        var sender = NewSender(server);
        var ct = TestContext.Current.CancellationToken;

        var transient = Assert.IsType<MailResult.RetryLater>(await sender.SendAsync(MailTestData.Message("transient@example.nl"), ct));
        var rejected = Assert.IsType<MailResult.Failed>(await sender.SendAsync(MailTestData.Message("reject@example.nl"), ct));
        var afterData = Assert.IsType<MailResult.Failed>(await sender.SendAsync(MailTestData.Message("datafail@example.nl"), ct));

        Assert.Contains("RCPT TO refused: 451 4.3.0", transient.Reason);
        Assert.Contains("RCPT TO refused: 550 5.1.1", rejected.Reason);
        Assert.Contains("554 5.6.0", afterData.Reason);
        Assert.Empty(server.Received);
    }

    [Fact]
    public async Task ABatchReusesOneConnectionPerWorkerAcrossRefusals()
    {
        await using var server = await SmtpTestServer.StartAsync();
        string[] recipients = ["a@example.nl", "b@example.nl", "reject@example.nl", "transient@example.nl", "datafail@example.nl", "c@example.nl"];

        var results = await NewSender(server).SendManyAsync(recipients.Select(r => MailTestData.Message(r)).ToList(), 1, TestContext.Current.CancellationToken);

        Assert.Equal(["Sent", "Sent", "Failed", "RetryLater", "Failed", "Sent"], results.Select(r => r.GetType().Name));
        var received = server.Received;
        Assert.Equal(["a@example.nl", "b@example.nl", "c@example.nl"], received.Select(r => r.Envelope.RcptTos.Single()));
        Assert.Single(received.Select(r => r.Envelope.PeerPort).Distinct());
    }

    [Fact]
    public async Task NoServerMeansRetryLater()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var retry = Assert.IsType<MailResult.RetryLater>(await NewSender(port).SendAsync(MailTestData.Message(), TestContext.Current.CancellationToken));

        Assert.Contains($"127.0.0.1:{port} unreachable", retry.Reason);
    }

    static TlsFiles WriteTlsFiles()
    {
        var pki = TestPki.Create();
        var folder = System.IO.Directory.CreateTempSubdirectory("md-smtp-tls-").FullName;
        var files = new TlsFiles(Path.Combine(folder, "server.pem"), Path.Combine(folder, "server.key"), Path.Combine(folder, "ca.pem"));
        File.WriteAllText(files.CertificatePath, pki.ServerCertificate.ExportCertificatePem());
        File.WriteAllText(files.KeyPath, pki.ServerCertificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(files.CaPath, TestPki.ExportPem(pki.LocalCa));
        return files;
    }

    public void Dispose() => logs.Dispose();
}
