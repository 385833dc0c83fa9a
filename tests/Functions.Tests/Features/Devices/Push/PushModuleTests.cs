using ManagedDistribution.AppleEmulator.Certificates;
using ManagedDistribution.Features.Devices.Push;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ManagedDistribution.Tests.Features.Devices.Push;

/// <summary><c>AddPush()</c> binds the <c>Apns</c> section and the client works from configuration alone.</summary>
public sealed class PushModuleTests(ApnsEmulatorFixture emulator) : IClassFixture<ApnsEmulatorFixture>
{
    ServiceProvider Services(params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value)))
            .Build();
        return new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLogging().AddPush().BuildServiceProvider();
    }

    [Fact]
    public async Task ClientConfiguredFromTheApnsSectionDelivers()
    {
        await using var services = Services(
            ("Apns:BaseUrl", emulator.Host.Apns.BaseUrl.ToString()),
            ("Apns:CertificatePath", emulator.Certificates.PushCertificatePath),
            ("Apns:CertificatePassword", TestPki.Password),
            ("Apns:TrustedCaPath", emulator.Certificates.LocalCaPemPath),
            ("Apns:Expiration", "00:00:00"));
        var client = services.GetRequiredService<ApnsClient>();
        var target = new PushTarget(ApnsEmulatorFixture.NewToken(), emulator.Topic, "magic");

        Assert.IsType<PushResult.Delivered>(await client.SendAsync(target, TestContext.Current.CancellationToken));
        Assert.Equal(0, Assert.Single(emulator.Host.Apns.Registry.DeliveredTo(target.DeviceToken)).Expiration);
        var health = services.GetRequiredService<ApnsHealth>().Current;
        Assert.Equal(emulator.Topic, health.Topic);
        Assert.NotNull(health.LastDeliveredAt);
    }

    [Fact]
    public async Task DefaultsPointAtApplesProductionEndpoint()
    {
        await using var services = Services();

        Assert.Equal(new Uri("https://api.push.apple.com"), services.GetRequiredService<ApnsClient>().Endpoint);
    }

    [Fact]
    public async Task PriorityOutsideApnsValuesIsRejected()
    {
        await using var services = Services(("Apns:DefaultPriority", "7"));

        Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<ApnsOptions>>().Value);
    }
}
