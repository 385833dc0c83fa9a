using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using ManagedDistribution.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ManagedDistribution.Tests.Platform.Telemetry;

public class HealthEndpointsTests(AzuriteFixture azurite)
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    static async Task<(HttpStatusCode Status, JsonElement Body)> GetHealthAsync(AppFactory app)
    {
        var response = await app.CreateClient().GetAsync("/api/health", Cancel);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancel)).RootElement.Clone();
        return (response.StatusCode, body);
    }

    [Fact]
    public async Task HealthyWhenStorageAnswers()
    {
        await using var app = new AppFactory(azurite);
        var (status, body) = await GetHealthAsync(app);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("healthy", body.GetProperty("status").GetString());
        Assert.True(body.GetProperty("storage").GetProperty("reachable").GetBoolean());
    }

    [Fact]
    public async Task UnavailableAfterAzuriteStops()
    {
        var storage = await AzuriteProcess.StartAsync(Cancel);
        await using var app = new AppFactory(storage.ConnectionString);
        Assert.Equal(HttpStatusCode.OK, (await GetHealthAsync(app)).Status);

        await storage.DisposeAsync();
        var (status, body) = await GetHealthAsync(app);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("unhealthy", body.GetProperty("status").GetString());
        Assert.False(body.GetProperty("storage").GetProperty("reachable").GetBoolean());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("storage").GetProperty("reason").GetString()));
    }

    [Fact]
    public async Task UnavailableWhenNothingListensOnTheStoragePort()
    {
        var port = ClosedPort();
        await using var app = new AppFactory(AzuriteProcess.ConnectionStringFor(port, port, port));
        var (status, body) = await GetHealthAsync(app);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        var reason = body.GetProperty("storage").GetProperty("reason").GetString();
        Assert.DoesNotContain(port.ToString(), reason);
        Assert.DoesNotContain("127.0.0.1", reason);
    }

    [Fact]
    public async Task ContributedChecksAppearAndADegradedOneKeeps200()
    {
        await using var app = new AppFactory(azurite)
        {
            ConfigureServices = services => services.AddHealthChecks()
                .AddCheck("contributed", () => HealthCheckResult.Degraded("A contributed check is degraded.")),
        };
        var (status, body) = await GetHealthAsync(app);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("degraded", body.GetProperty("status").GetString());
        var contributed = body.GetProperty("checks").GetProperty("contributed");
        Assert.Equal("degraded", contributed.GetProperty("status").GetString());
        Assert.Equal("A contributed check is degraded.", contributed.GetProperty("description").GetString());
    }

    [Fact]
    public async Task AHangingCheckTimesOutAsUnhealthy()
    {
        await using var app = new AppFactory(azurite)
        {
            ConfigureServices = services => services.AddHealthChecks().AddAsyncCheck("stuck", async cancellationToken =>
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
                return HealthCheckResult.Healthy();
            }),
        };
        var (status, body) = await GetHealthAsync(app);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("unhealthy", body.GetProperty("checks").GetProperty("stuck").GetProperty("status").GetString());
    }

    static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
