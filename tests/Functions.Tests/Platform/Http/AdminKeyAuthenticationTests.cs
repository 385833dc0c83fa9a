using System.Net;
using System.Net.Http.Json;
using ManagedDistribution.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ManagedDistribution.Tests.Platform.Http;

public class AdminKeyAuthenticationTests(AzuriteFixture azurite)
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    AppFactory App(IEnumerable<string>? keys = null, string environment = "Testing") =>
        new(azurite, adminKeys: keys) { MapEndpoints = ProbeEndpoints.Map, EnvironmentName = environment };

    [Fact]
    public async Task MissingKeyIsUnauthorizedProblemWithBearerChallenge()
    {
        await using var app = App();
        var response = await app.CreateClient().GetAsync("/api/test/whoami", Cancel);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
    }

    [Fact]
    public async Task WrongKeyIsUnauthorized()
    {
        await using var app = App();
        var response = await app.CreateAdminClient(AppFactory.NewAdminKey()).GetAsync("/api/test/whoami", Cancel);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
    }

    [Fact]
    public async Task KeyWithExtraCharacterIsUnauthorized()
    {
        await using var app = App();
        var response = await app.CreateAdminClient(app.AdminKeys[0] + "x").GetAsync("/api/test/whoami", Cancel);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task EitherOfTwoRotatedKeysIsAccepted()
    {
        await using var app = App([AppFactory.NewAdminKey(), AppFactory.NewAdminKey()]);

        for (var i = 0; i < 2; i++)
        {
            var caller = await app.CreateAdminClient(app.AdminKeys[i]).GetFromJsonAsync<ProbeEndpoints.Caller>("/api/test/whoami", Cancel);
            Assert.Equal(new ProbeEndpoints.Caller("admin", i.ToString()), caller);
        }
    }

    [Fact]
    public async Task HealthAndOpenApiAreAnonymous()
    {
        await using var app = App();
        var client = app.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/openapi.json", Cancel)).StatusCode);
        Assert.NotEqual(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/health", Cancel)).StatusCode);
    }

    [Fact]
    public void EveryApiEndpointRequiresAKeyOrSaysItIsAnonymous()
    {
        using var app = new AppFactory(azurite);
        var endpoints = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.TrimStart('/').StartsWith("api", StringComparison.Ordinal) == true);

        var unguarded = endpoints
            .Where(e => e.Metadata.GetMetadata<IAuthorizeData>() is null && e.Metadata.GetMetadata<IAllowAnonymous>() is null)
            .Select(e => e.RoutePattern.RawText)
            .ToList();
        Assert.True(unguarded.Count == 0, "Map these through MapApiGroup or mark them AllowAnonymous: " + string.Join(", ", unguarded));
    }

    [Fact]
    public void StartupFailsOutsideDevelopmentWithoutAKey()
    {
        using var app = App(keys: [], environment: "Production");
        var error = Assert.Throws<OptionsValidationException>(() => app.CreateClient());
        Assert.Contains("Auth__AdminApiKeys__0", error.Message);
    }

    [Fact]
    public void StartupFailsWithAShortKey()
    {
        using var app = App(keys: ["short"]);
        var error = Assert.Throws<OptionsValidationException>(() => app.CreateClient());
        Assert.Contains("Auth:AdminApiKeys:0", error.Message);
    }

    [Fact]
    public async Task DevelopmentWithoutAKeyStartsButRefusesEveryCall()
    {
        var logs = new CapturingLoggerProvider();
        await using var app = new AppFactory(azurite, adminKeys: [])
        {
            MapEndpoints = ProbeEndpoints.Map,
            EnvironmentName = "Development",
            ConfigureLogging = l => l.AddProvider(logs),
        };
        var response = await app.CreateAdminClient("any-key-at-all-1234567890").GetAsync("/api/test/whoami", Cancel);
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("Auth__AdminApiKeys__0"));
    }
}
