using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace ManagedDistribution.Platform.Http;

/// <summary>
/// The HTTP edge every endpoint sits behind: problem details for every error, the admin key
/// scheme, body limits, validation and the OpenAPI document.
/// </summary>
public static class HttpEdgeModule
{
    public static WebApplicationBuilder AddHttpEdge(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<HttpOptions>().BindConfiguration(HttpOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>();

        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
            Problems.Complete(context.ProblemDetails, context.ProblemDetails.Status ?? context.HttpContext.Response.StatusCode));
        services.AddExceptionHandler<ApiExceptionHandler>();
        // Binding failures throw so the exception handler can tell malformed JSON from other 400s.
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        services.AddValidation();
        // Numbers are numbers: "5" for an int is a malformed body, and OpenAPI says plain "integer".
        services.ConfigureHttpJsonOptions(options => options.SerializerOptions.NumberHandling = JsonNumberHandling.Strict);

        services.AddAuthentication(AdminKeyAuthenticationHandler.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, AdminKeyAuthenticationHandler>(
                AdminKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder().SetDefaultPolicy(new AuthorizationPolicyBuilder(AdminKeyAuthenticationHandler.SchemeName)
            .RequireAuthenticatedUser().Build());

        services.AddApiDocument();
        return builder;
    }

    public static WebApplication UseHttpEdge(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRouting();
        // After routing, so an endpoint's own IRequestSizeLimitMetadata (bulk imports) applies.
        app.UseMiddleware<RequestBodyLimitMiddleware>();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseMiddleware<QueryValueCheckMiddleware>();
        WarnWhenNoAdminKey(app);
        return app;
    }

    public static WebApplication MapHttpEdge(this WebApplication app)
    {
        app.MapOpenApi(OpenApiSetup.DocumentPath).AllowAnonymous();
        foreach (var extra in app.Services.GetServices<AdditionalEndpoints>()) extra.Map(app);
        return app;
    }

    static void WarnWhenNoAdminKey(WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<AuthOptions>>().Value.AdminApiKeys.Count > 0) return;
        app.Logger.LogWarning(
            "No admin API key is configured, so every /api call except health answers 401. " +
            "Set Auth__AdminApiKeys__0 (or Auth:AdminApiKeys in local.settings.json) to a random string of at least {MinimumKeyLength} characters.",
            AuthOptions.MinimumKeyLength);
    }
}

/// <summary>
/// Endpoints contributed through dependency injection instead of a <c>Map&lt;Feature&gt;()</c> call
/// in Program.cs. Test hosts use it to mount probe endpoints behind the real pipeline; features
/// should not.
/// </summary>
public sealed class AdditionalEndpoints(Action<IEndpointRouteBuilder> map)
{
    public void Map(IEndpointRouteBuilder endpoints) => map(endpoints);
}
