using System.Net;
using System.Text.Json;
using ManagedDistribution.Features.Devices.Push;
using ManagedDistribution.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace ManagedDistribution.Tests.Features.Devices.Push;

public class ApnsHealthCheckTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_certificate_problem_newer_than_the_last_delivery_shows_on_health_as_degraded()
    {
        await using var app = new AppFactory(azurite);
        using var client = app.CreateClient();
        var health = app.Services.GetRequiredService<ApnsHealth>();
        var now = DateTimeOffset.UtcNow;

        health.Delivered(now.AddMinutes(-5));
        health.CertificateFailed("APNs answered 403 BadCertificate", now);
        using var degraded = await client.GetAsync("/api/health", TestContext.Current.CancellationToken);
        var body = JsonDocument.Parse(await degraded.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement;
        Assert.Equal(HttpStatusCode.OK, degraded.StatusCode);
        Assert.Equal("degraded", body.GetProperty("status").GetString());
        Assert.Contains("BadCertificate", body.GetRawText());

        health.Delivered(now.AddMinutes(1));
        using var healthy = await client.GetAsync("/api/health", TestContext.Current.CancellationToken);
        Assert.Equal("healthy", JsonDocument.Parse(await healthy.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement.GetProperty("status").GetString());
    }
}
