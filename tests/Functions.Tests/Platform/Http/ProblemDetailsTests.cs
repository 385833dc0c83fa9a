using System.Net;
using System.Text;
using ManagedDistribution.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace ManagedDistribution.Tests.Platform.Http;

/// <summary>Every failure the edge can produce answers RFC 9457 problem details with a stable code.</summary>
public sealed class ProblemDetailsTests(AzuriteFixture azurite) : IAsyncDisposable
{
    const int Limit = 4096;
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    readonly AppFactory app = new(azurite)
    {
        MapEndpoints = ProbeEndpoints.Map,
        // The validation source generator only sees this assembly's types through its own AddValidation call.
        ConfigureServices = services => services.AddValidation(),
        Settings = { ["Http:MaxRequestBodyBytes"] = Limit.ToString() },
    };

    static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task ValidBodyIsAccepted()
    {
        var response = await app.CreateAdminClient().PostAsync("/api/test/echo", Json("""{"name":"ok","count":2}"""), Cancel);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task MalformedJsonIsMalformedJsonProblem()
    {
        var response = await app.CreateAdminClient().PostAsync("/api/test/echo", Json("""{"name": "x", "count": """), Cancel);
        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "malformed-json");
        Assert.Contains("$", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task WrongJsonTypeIsMalformedJsonProblem()
    {
        var response = await app.CreateAdminClient().PostAsync("/api/test/echo", Json("""{"name":"x","count":"many"}"""), Cancel);
        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "malformed-json");
        Assert.DoesNotContain("many", problem.GetRawText());
    }

    [Fact]
    public async Task NonJsonContentTypeIsUnsupportedMediaType()
    {
        var response = await app.CreateAdminClient().PostAsync("/api/test/echo", new StringContent("name=x"), Cancel);
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "unsupported-media-type");
    }

    [Fact]
    public async Task InvalidFieldsAreValidationProblemWithFieldErrors()
    {
        var response = await app.CreateAdminClient().PostAsync("/api/test/echo", Json("""{"name":"far too long a name","count":9}"""), Cancel);
        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "validation");
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty("Name", out _) || errors.TryGetProperty("name", out _), errors.GetRawText());
        Assert.True(errors.TryGetProperty("Count", out _) || errors.TryGetProperty("count", out _), errors.GetRawText());
    }

    [Fact]
    public async Task DeclaredBodyOverTheLimitIsPayloadTooLarge()
    {
        var body = $$"""{"name":"{{new string('x', Limit)}}","count":1}""";
        var response = await app.CreateAdminClient().PostAsync("/api/test/echo", Json(body), Cancel);
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "payload-too-large");
    }

    [Fact]
    public async Task ChunkedBodyOverTheLimitIsPayloadTooLarge()
    {
        var bytes = Encoding.UTF8.GetBytes($$"""{"name":"{{new string('x', Limit)}}","count":1}""");
        var content = new StreamContent(new UnknownLengthStream(bytes));
        content.Headers.ContentType = new("application/json");
        var response = await app.CreateAdminClient().PostAsync("/api/test/echo", content, Cancel);
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "payload-too-large");
    }

    [Theory]
    [InlineData("/api/no-such-thing")]
    [InlineData("/api/test/whoami/extra")]
    [InlineData("/not-api-at-all")]
    public async Task UnknownRouteIsNotFoundProblem(string path)
    {
        var response = await app.CreateAdminClient().GetAsync(path, Cancel);
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task WrongMethodIsMethodNotAllowedProblemWithAllowHeader()
    {
        var response = await app.CreateAdminClient().DeleteAsync("/api/test/echo", Cancel);
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.MethodNotAllowed, "method-not-allowed");
        Assert.Contains("POST", response.Content.Headers.Allow);
    }

    [Theory]
    [InlineData("/api/tasks?pageSize=abc", "pageSize must be a whole number, not \"abc\".")]
    [InlineData("/api/devices?pageSize=1&pageSize=2", "pageSize must be a whole number, not \"1,2\".")]
    public async Task AnUnreadableQueryValueOfTheAppsGeneratedEndpointsIsNamed(string path, string detail)
    {
        // The app's endpoints are compiled by the Request Delegate Generator, which alone answers a bare 400 here.
        var response = await app.CreateAdminClient().GetAsync(path, Cancel);
        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "bad-request");
        Assert.Equal(detail, problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task UnhandledExceptionIsInternalProblemWithTraceIdAndNoDetails()
    {
        var response = await app.CreateAdminClient().GetAsync("/api/test/boom", Cancel);
        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.InternalServerError, "internal");
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("traceId").GetString()));
        var raw = problem.GetRawText();
        foreach (var leak in new[] { "Exploded", "InvalidOperationException", "AccountKey", "ProbeEndpoints", " at " })
            Assert.DoesNotContain(leak, raw);
    }

    [Fact]
    public async Task DomainProblemFromTheCatalogKeepsItsCode()
    {
        var response = await app.CreateAdminClient().GetAsync("/api/test/conflict", Cancel);
        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Conflict, "license-exhausted");
        Assert.Equal("All 3 licenses are assigned.", problem.GetProperty("detail").GetString());
        Assert.True(problem.TryGetProperty("traceId", out _));
    }

    public ValueTask DisposeAsync() => app.DisposeAsync();

    /// <summary>Hides its length so HttpClient sends the body chunked, without Content-Length.</summary>
    sealed class UnknownLengthStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
