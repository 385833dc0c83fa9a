using ManagedDistribution.AppleEmulator.Certificates;
using ManagedDistribution.Features.Devices.Push;

namespace ManagedDistribution.Tests.Features.Devices.Push;

/// <summary>The APNs client against the emulator's real HTTP/2 TLS endpoint with client certificates.</summary>
public sealed class ApnsClientTests(ApnsEmulatorFixture emulator) : IClassFixture<ApnsEmulatorFixture>
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    PushTarget NewTarget(string? magic = null) => new(ApnsEmulatorFixture.NewToken(), emulator.Topic, magic ?? "magic-" + Guid.NewGuid());

    [Fact]
    public async Task DeliveredPushReachesApnsWithMdmHeadersAndBody()
    {
        using var client = emulator.NewClient();
        var target = NewTarget("magic \"quoted\" " + Guid.NewGuid());
        var arrival = emulator.Host.Apns.Registry.WaitForPushAsync(target.DeviceToken, Cancel);

        var result = await client.SendAsync(target, Cancel);

        var delivered = Assert.IsType<PushResult.Delivered>(result);
        var push = await arrival;
        Assert.Equal(delivered.ApnsId, push.ApnsId);
        Assert.Equal(target.DeviceToken, push.DeviceToken);
        Assert.Equal(emulator.Topic, push.Topic);
        Assert.Equal(target.PushMagic, push.PushMagic);
        Assert.Equal(10, push.Priority);
        Assert.InRange(push.Expiration - DateTimeOffset.UtcNow.ToUnixTimeSeconds(), 3500, 3700);
        Assert.Single(emulator.Host.Apns.Registry.DeliveredTo(target.DeviceToken));
    }

    [Fact]
    public async Task UnregisteredTokenGives410WithTimestamp()
    {
        using var client = emulator.NewClient();
        var target = NewTarget();
        var since = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.AddDays(-2).ToUnixTimeMilliseconds());
        emulator.Host.Apns.Registry.MarkUnregistered(target.DeviceToken, since);

        var result = await client.SendAsync(target, Cancel);

        Assert.Equal(new PushResult.Unregistered("Unregistered", since), result);
    }

    [Fact]
    public async Task BadDeviceTokenMakesTheTokenUnusable()
    {
        using var client = emulator.NewClient();
        var target = NewTarget();
        emulator.Host.Apns.Registry.MarkBadToken(target.DeviceToken);

        Assert.Equal(new PushResult.BadToken("BadDeviceToken"), await client.SendAsync(target, Cancel));
        Assert.Equal(new PushResult.BadToken("BadDeviceToken"), await client.SendAsync(target with { DeviceToken = "not-hex" }, Cancel));
    }

    [Theory]
    [InlineData(429, "TooManyRequests", 2)]
    [InlineData(503, "ServiceUnavailable", 1)]
    [InlineData(500, "InternalServerError", 2)]
    public async Task TransientFailuresAreRetriedUntilDelivered(int status, string reason, int failures)
    {
        using var client = emulator.NewClient();
        var target = NewTarget();
        emulator.Host.Apns.Registry.FailNext(failures, status, reason, deviceToken: target.DeviceToken);

        Assert.IsType<PushResult.Delivered>(await client.SendAsync(target, Cancel));
        Assert.Single(emulator.Host.Apns.Registry.DeliveredTo(target.DeviceToken));
    }

    [Fact]
    public async Task PersistentFailureEndsInRetryLaterAfterBoundedRetries()
    {
        using var client = emulator.NewClient(o => o.MaxRetries = 2);
        var target = NewTarget();
        emulator.Host.Apns.Registry.FailNext(4, 500, "InternalServerError", deviceToken: target.DeviceToken);

        Assert.Equal(new PushResult.RetryLater(500, "InternalServerError", null), await client.SendAsync(target, Cancel));
        // Three attempts consumed three failures; the next send meets the fourth, then gets through.
        Assert.Empty(emulator.Host.Apns.Registry.DeliveredTo(target.DeviceToken));
        Assert.IsType<PushResult.Delivered>(await client.SendAsync(target, Cancel));
    }

    [Fact]
    public async Task RetryAfterLongerThanAllowedIsHandedBackInsteadOfWaited()
    {
        using var client = emulator.NewClient(o => o.MaxRetryDelay = TimeSpan.FromSeconds(1));
        var target = NewTarget();
        emulator.Host.Apns.Registry.FailNext(1, 503, "ServiceUnavailable", TimeSpan.FromSeconds(120), target.DeviceToken);

        Assert.Equal(new PushResult.RetryLater(503, "ServiceUnavailable", TimeSpan.FromSeconds(120)), await client.SendAsync(target, Cancel));
    }

    [Fact]
    public async Task ForeignPushCertificateIsACertificateProblemShownInHealth()
    {
        var foreign = Path.Combine(emulator.CertificateFolder, "foreign-push.p12");
        await File.WriteAllBytesAsync(foreign, TestPki.ExportPkcs12(TestPki.Create().PushCertificate), Cancel);
        var health = new ApnsHealth();
        using var client = emulator.NewClient(o => o.CertificatePath = foreign, health);

        Assert.Equal(new PushResult.CertificateProblem("BadCertificate"), await client.SendAsync(NewTarget(), Cancel));
        Assert.Equal("BadCertificate", health.Current.LastCertificateError);
        Assert.Null(health.Current.LastDeliveredAt);
    }

    [Fact]
    public async Task UntrustedServerIsACertificateProblem()
    {
        using var client = emulator.NewClient(o => o.TrustedCaPath = null);

        var problem = Assert.IsType<PushResult.CertificateProblem>(await client.SendAsync(NewTarget(), Cancel));
        Assert.StartsWith("TlsHandshakeFailed", problem.Reason);
    }

    [Fact]
    public async Task WrongPasswordOrMissingCertificateIsReportedNotThrown()
    {
        using var wrongPassword = emulator.NewClient(o => o.CertificatePassword = "wrong");
        using var unconfigured = emulator.NewClient(o => o.CertificatePath = null);

        Assert.StartsWith("CertificateLoadFailed", Assert.IsType<PushResult.CertificateProblem>(await wrongPassword.SendAsync(NewTarget(), Cancel)).Reason);
        Assert.IsType<PushResult.NotConfigured>(await unconfigured.SendAsync(NewTarget(), Cancel));
    }

    [Fact]
    public async Task CertificateCanComeAsBase64LikeAKeyVaultAppSetting()
    {
        var base64 = Convert.ToBase64String(await File.ReadAllBytesAsync(emulator.Certificates.PushCertificatePath, Cancel));
        using var client = emulator.NewClient(o => (o.CertificatePath, o.CertificateBase64) = (null, base64));
        using var unresolved = emulator.NewClient(o => (o.CertificatePath, o.CertificateBase64) = (null, "@Microsoft.KeyVault(SecretUri=https://v/secrets/apns)"));

        Assert.IsType<PushResult.Delivered>(await client.SendAsync(NewTarget(), Cancel));
        Assert.Contains("Key Vault", Assert.IsType<PushResult.CertificateProblem>(await unresolved.SendAsync(NewTarget(), Cancel)).Reason);
    }

    [Fact]
    public async Task TopicOtherThanTheCertificatesIsRefused()
    {
        using var client = emulator.NewClient();

        var result = await client.SendAsync(NewTarget() with { Topic = TestPki.NewTopic() }, Cancel);

        Assert.Equal(new PushResult.OtherPermanentError(400, "TopicDisallowed"), result);
    }

    [Fact]
    public async Task ManyConcurrentPushesAreAllDelivered()
    {
        using var client = emulator.NewClient();
        var targets = Enumerable.Range(0, 3000).Select(_ => NewTarget()).ToArray();

        var results = await client.SendManyAsync(targets, maxParallel: 256, Cancel);

        Assert.All(results, r => Assert.IsType<PushResult.Delivered>(r));
        Assert.All(targets.Take(20), t => Assert.Equal(t.PushMagic, Assert.Single(emulator.Host.Apns.Registry.DeliveredTo(t.DeviceToken)).PushMagic));
        Assert.Equal(3000, results.Select(r => ((PushResult.Delivered)r).ApnsId).Distinct().Count());
    }
}
