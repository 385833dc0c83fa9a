using ManagedDistribution.AppleEmulator;
using ManagedDistribution.AppleEmulator.Certificates;
using ManagedDistribution.Features.Devices.Push;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ManagedDistribution.Tests.Features.Devices.Push;

/// <summary>
/// The Apple emulator (in-process, free ports) with its certificates in a temporary folder, and
/// a factory for <see cref="ApnsClient"/>s configured the way the app would be against it.
/// </summary>
public sealed class ApnsEmulatorFixture : IAsyncLifetime
{
    public EmulatorHost Host { get; private set; } = null!;
    public string CertificateFolder { get; } = Path.Combine(Path.GetTempPath(), "md-apns-tests-" + Guid.NewGuid().ToString("N"));

    public TestPkiFolder Certificates => Host.Certificates;
    public string Topic => Certificates.Pki.PushTopic;

    public async ValueTask InitializeAsync() =>
        Host = await EmulatorHost.StartAsync(["--urls", "http://127.0.0.1:0"], new EmulatorOptions { CertificateFolder = CertificateFolder });

    public ApnsOptions Options(Action<ApnsOptions>? configure = null)
    {
        var options = new ApnsOptions
        {
            BaseUrl = Host.Apns.BaseUrl,
            CertificatePath = Certificates.PushCertificatePath,
            CertificatePassword = TestPki.Password,
            TrustedCaPath = Certificates.LocalCaPemPath,
            RetryBaseDelay = TimeSpan.FromMilliseconds(10),
        };
        configure?.Invoke(options);
        return options;
    }

    public ApnsClient NewClient(Action<ApnsOptions>? configure = null, ApnsHealth? health = null) =>
        new(Microsoft.Extensions.Options.Options.Create(Options(configure)), health ?? new ApnsHealth(), TimeProvider.System,
            NullLogger<ApnsClient>.Instance);

    /// <summary>
    /// App settings that point the app's APNs client at this emulator, with test-sized push waves
    /// and queue polling; shared by the push and end-to-end test hosts.
    /// </summary>
    public Dictionary<string, string?> AppSettings(string checkinWindow) => new()
    {
        ["Apns:BaseUrl"] = Host.Apns.BaseUrl.ToString(),
        ["Apns:CertificatePath"] = Certificates.PushCertificatePath,
        ["Apns:CertificatePassword"] = TestPki.Password,
        ["Apns:TrustedCaPath"] = Certificates.LocalCaPemPath,
        ["Apns:RetryBaseDelay"] = "00:00:00.010",
        ["Push:CheckinWindow"] = checkinWindow,
        ["Push:MaxAttempts"] = "3",
        ["Push:BackoffFactor"] = "1",
        ["Hosting:MinPollingInterval"] = "00:00:00.050",
        ["Hosting:MaxPollingInterval"] = "00:00:00.200",
        ["Hosting:RetryDelay"] = "00:00:00",
    };

    public static string NewToken() => Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()) + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        try { System.IO.Directory.Delete(CertificateFolder, recursive: true); } catch (IOException) { }
    }
}
