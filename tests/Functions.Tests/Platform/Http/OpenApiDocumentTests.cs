using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using ManagedDistribution.Tests.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace ManagedDistribution.Tests.Platform.Http;

/// <summary>
/// The committed functions/openapi.json is the API contract reviewers diff. When endpoints change,
/// regenerate it with <c>UPDATE_OPENAPI=1 dotnet test tests/Functions.Tests</c> and commit it.
/// </summary>
public class OpenApiDocumentTests(AzuriteFixture azurite)
{
    static readonly string CommittedPath = Path.Combine(RepositoryRoot.Path, "functions", "openapi.json");
    static readonly string FreshPath = Path.Combine(RepositoryRoot.Path, "artifacts", "openapi", "openapi.json");
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    async Task<string> FetchDocumentAsync(AppFactory app)
    {
        var json = await app.CreateClient().GetStringAsync("/api/openapi.json", Cancel);
        return JsonNode.Parse(json)!.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }).ReplaceLineEndings("\n") + "\n";
    }

    [Fact]
    public async Task CommittedDocumentMatchesTheApp()
    {
        await using var app = new AppFactory(azurite);
        var fresh = await FetchDocumentAsync(app);

        if (Environment.GetEnvironmentVariable("UPDATE_OPENAPI") == "1")
        {
            await File.WriteAllTextAsync(CommittedPath, fresh, Cancel);
            return;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(FreshPath)!);
        await File.WriteAllTextAsync(FreshPath, fresh, Cancel);
        var committed = File.Exists(CommittedPath) ? (await File.ReadAllTextAsync(CommittedPath, Cancel)).ReplaceLineEndings("\n") : "";
        Assert.True(committed == fresh,
            $"functions/openapi.json is out of date. Compare with `diff {CommittedPath} {FreshPath}`; " +
            "if the change is intended, run `UPDATE_OPENAPI=1 dotnet test tests/Functions.Tests` and commit functions/openapi.json.");
    }

    [Fact]
    public async Task EveryApiEndpointIsDocumented()
    {
        await using var app = new AppFactory(azurite);
        var paths = JsonNode.Parse(await FetchDocumentAsync(app))!["paths"]!.AsObject();

        var missing = new List<string>();
        foreach (var endpoint in app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            // A group's own path ("" under "/api/users") comes out as "/api/users/"; OpenAPI names it without the slash.
            var route = "/" + endpoint.RoutePattern.RawText!.Trim('/');
            if (!route.StartsWith("/api/", StringComparison.Ordinal) || route == "/api/openapi.json") continue;
            var documented = paths[route]?.AsObject();
            foreach (var method in endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? ["*"])
                if (documented is null || !documented.ContainsKey(method.ToLowerInvariant()))
                    missing.Add($"{method} {route}");
        }
        Assert.True(missing.Count == 0, "Not in the OpenAPI document (ExcludeFromDescription?): " + string.Join(", ", missing));
        Assert.NotNull(paths["/api/health"]);
    }

    [Fact]
    public async Task BearerSchemeIsDeclaredAndRequiredOnProtectedOperations()
    {
        await using var app = new AppFactory(azurite) { MapEndpoints = ProbeEndpoints.Map };
        var document = JsonNode.Parse(await FetchDocumentAsync(app))!;

        var scheme = document["components"]!["securitySchemes"]!["AdminKey"]!;
        Assert.Equal("http", scheme["type"]!.GetValue<string>());
        Assert.Equal("bearer", scheme["scheme"]!.GetValue<string>());
        Assert.NotNull(document["paths"]!["/api/test/whoami"]!["get"]!["security"]);
        Assert.Null(document["paths"]!["/api/health"]!["get"]!["security"]);
        Assert.Null(document["servers"]);
    }
}
