using ManagedDistribution.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ManagedDistribution.Tests.Platform.Telemetry;

/// <summary>Secrets logged anywhere in the app never reach a provider, including providers added after startup code ran.</summary>
public class RedactingLoggerFactoryTests(AzuriteFixture azurite)
{
    const string SToken = "eyJ0b2tlbiI6InNlY3JldC1zdG9rZW4iLCJleHBEYXRlIjoiMjAzMCJ9";
    const string AccountKey = "c3RvcmFnZS1hY2NvdW50LWtleS1zZWNyZXQ=";
    const string BearerKey = "admin-bearer-key-0123456789";
    const string PushMagic = "9B2C4D6E-8F0A-4B1C-9D2E-3F4A5B6C7D8E";

    [Fact]
    public async Task SecretsInMessagesPropertiesAndExceptionsAreMasked()
    {
        var capture = new CapturingLoggerProvider();
        await using var app = new AppFactory(azurite) { ConfigureLogging = l => l.AddProvider(capture) };
        var logger = app.Services.GetRequiredService<ILogger<RedactingLoggerFactoryTests>>();

        logger.LogInformation("Installing location token sToken={SToken}", SToken);
        logger.LogInformation("Connecting with {Connection}", $"DefaultEndpointsProtocol=http;AccountName=a;AccountKey={AccountKey};");
        logger.LogWarning("Forwarded header Authorization: Bearer {Key}", BearerKey);
        logger.LogInformation("Device {EnrollmentId} sent push magic {PushMagic}", "DEV-1", PushMagic);
        logger.LogError(new InvalidOperationException($"Failed with AccountKey={AccountKey} and sToken {SToken}"), "Storage failed");

        var logged = capture.Entries.Where(e => e.Category == typeof(RedactingLoggerFactoryTests).FullName).ToList();
        Assert.Equal(5, logged.Count);
        foreach (var entry in logged)
            foreach (var secret in new[] { SToken, AccountKey, BearerKey, PushMagic })
                Assert.DoesNotContain(secret, entry.AllText);
        Assert.Contains(logged, e => e.Message.Contains("DEV-1"));
    }

    [Fact]
    public async Task RequestLogsCarryNeitherHeadersNorBodies()
    {
        var capture = new CapturingLoggerProvider();
        await using var app = new AppFactory(azurite, adminKeys: [BearerKey])
        {
            MapEndpoints = ManagedDistribution.Tests.Platform.Http.ProbeEndpoints.Map,
            ConfigureLogging = l => l.AddProvider(capture),
        };
        var body = new StringContent($$"""{"name":"{{PushMagic}}","count":"{{SToken}}"}""", System.Text.Encoding.UTF8, "application/json");
        await app.CreateAdminClient().PostAsync("/api/test/echo?sig=" + AccountKey, body, TestContext.Current.CancellationToken);

        Assert.Contains(capture.Entries, e => e.Category.Contains("HttpLogging") && e.Message.Contains("/api/test/echo") && e.Message.Contains("400"));
        foreach (var entry in capture.Entries)
            foreach (var secret in new[] { SToken, AccountKey, BearerKey, PushMagic })
                Assert.DoesNotContain(secret, entry.AllText);
    }
}
