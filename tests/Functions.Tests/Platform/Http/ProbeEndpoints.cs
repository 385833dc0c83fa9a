using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using ManagedDistribution.Platform.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace ManagedDistribution.Tests.Platform.Http;

/// <summary>Test-only endpoints under <c>/api/test</c> that exercise the edge: auth, binding, validation, failures.</summary>
static class ProbeEndpoints
{
    public const string SecretInException = "AccountKey=c2VjcmV0LWtleS1pbi1leGNlcHRpb24=";

    public static void Map(IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapApiGroup("/test", "Test");
        group.MapGet("/whoami", (ClaimsPrincipal user) => TypedResults.Ok(new Caller(user.Identity?.Name, user.FindFirstValue("admin_key"))));
        group.MapPost("/echo", (EchoRequest request) => TypedResults.Ok(request));
        group.MapGet("/boom", string () => throw new InvalidOperationException("Exploded with " + SecretInException));
        group.MapGet("/conflict", ProblemHttpResult () => Problems.Result(ProblemCodes.LicenseExhausted, "All 3 licenses are assigned."));
    }

    public sealed record Caller(string? Name, string? Key);

    public sealed record EchoRequest(
        [Required, StringLength(10)] string Name,
        [Range(1, 5)] int Count);
}
