using ManagedDistribution.Features.AppsAndBooks;
using ManagedDistribution.Features.Catalog;
using ManagedDistribution.Platform.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ManagedDistribution.Features.LocationTokens;

/// <summary><c>/api/vpp/tokens</c>: install, list (with health) and remove Apps and Books location tokens.</summary>
public static class LocationTokensEndpoints
{
    public static RouteGroupBuilder MapLocationTokens(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapApiGroup("/vpp/tokens", "Location tokens");
        group.MapPost("", InstallAsync).WithName("InstallLocationToken")
            .WithSummary("Installs an Apps and Books location token (sToken): checked with Apple, stored encrypted, never returned. Re-installing a location replaces its token (200).");
        group.MapGet("", ListAsync).WithName("ListLocationTokens")
            .WithSummary("Installed locations with organisation, location, expiry and health, re-checked with Apple at most once a minute.");
        group.MapDelete("/{id}", DeleteAsync).WithName("DeleteLocationToken").WithSummary("Removes a location's token; its purchased items stay in the catalogue.");
        return group;
    }

    static async Task<Results<Created<LocationTokenDto>, Ok<LocationTokenDto>, ValidationProblem, ProblemHttpResult>> InstallAsync(
        InstallTokenRequest body, LocationTokenService service, CatalogSync catalog, CancellationToken cancellationToken)
    {
        LocationToken token;
        try
        {
            token = LocationToken.Parse(body.SToken ?? throw new FormatException("Required."));
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["sToken"] = ["Required: the content of the .vpptoken file, Base64 JSON with token, expDate and orgName."],
            });
        }
        var outcome = await service.InstallAsync(token, body.TakeOver == true, cancellationToken);
        if (outcome.Record is not { } record) return Refused(outcome);
        var sync = await catalog.SyncLocationAsync(record.UId, cancellationToken);
        var dto = LocationTokenDto.From(record, sync.Items, sync.Error);
        return outcome.Replaced ? TypedResults.Ok(dto) : TypedResults.Created($"{ApiRoutes.Prefix}/vpp/tokens/{record.UId}", dto);
    }

    static ProblemHttpResult Refused(InstallOutcome outcome) => outcome.Health switch
    {
        TokenHealth.Expired => Problems.Result(ProblemCodes.TokenExpired, "Apple says the token has expired (9621); download a new one from Apple School or Business Manager."),
        TokenHealth.Revoked => Problems.Result(ProblemCodes.TokenRevoked, "Apple says the token was revoked (9625); download a new one."),
        TokenHealth.Invalid => Problems.Result(ProblemCodes.TokenRejected, "Apple does not accept the token (9601)."),
        _ => Problems.Result(ProblemCodes.Unavailable, "Apple's Apps and Books service could not check the token; try again later. " + outcome.Problem),
    };

    static async Task<Ok<LocationTokenDto[]>> ListAsync(LocationTokenService service, CancellationToken cancellationToken) =>
        TypedResults.Ok((await service.ListAsync(cancellationToken)).Select(r => LocationTokenDto.From(r)).ToArray());

    static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(string id, LocationTokenStore store, CancellationToken cancellationToken) =>
        await store.DeleteAsync(id, cancellationToken) ? TypedResults.NoContent()
            : Problems.Result(ProblemCodes.NotFound, "No token is installed for that location.");
}
