namespace ManagedDistribution.Platform.Http;

/// <summary>How features put endpoints under <c>/api</c>: admin key required, tagged, 401 documented.</summary>
public static class ApiRoutes
{
    public const string Prefix = "/api";

    /// <summary>
    /// A route group at <c>/api{prefix}</c> that requires an admin API key (the default policy),
    /// carries the OpenAPI <paramref name="tag"/> and documents the 401 problem. For example
    /// <c>var group = app.MapApiGroup("/invitations", "Invitations");</c>. Anonymous endpoints
    /// (health, Apple callbacks that check their own token) call <c>.AllowAnonymous()</c>.
    /// </summary>
    public static RouteGroupBuilder MapApiGroup(this IEndpointRouteBuilder endpoints, string prefix, string tag)
    {
        var group = endpoints.MapGroup(Prefix + prefix).WithTags(tag).RequireAuthorization();
        group.ProducesProblem(StatusCodes.Status401Unauthorized);
        return group;
    }
}
