using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace ManagedDistribution.Platform.Http;

/// <summary>
/// The OpenAPI document at <c>/api/openapi.json</c>: the bearer scheme declared once and required
/// on every operation that needs an admin key. Anonymous, since it describes shapes, not data.
/// A committed copy (functions/openapi.json) is diffed by a test and in reviews.
/// </summary>
static class OpenApiSetup
{
    public const string DocumentPath = ApiRoutes.Prefix + "/openapi.json";

    public static IServiceCollection AddApiDocument(this IServiceCollection services) =>
        services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "Managed Distribution API";
                document.Info.Description = "Admin API. Send 'Authorization: Bearer <admin API key>'. Errors are RFC 9457 problem details with a stable 'code'.";
                // Behind the Functions host the app sees its own loopback address; relative paths resolve against wherever the document was fetched.
                document.Servers = [];
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[AdminKeyAuthenticationHandler.SchemeName] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    Description = "An admin API key from Auth:AdminApiKeys.",
                };
                return Task.CompletedTask;
            });
            options.AddOperationTransformer((operation, context, _) =>
            {
                var metadata = context.Description.ActionDescriptor.EndpointMetadata;
                if (metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any())
                    operation.Security = [new OpenApiSecurityRequirement
                    {
                        [new OpenApiSecuritySchemeReference(AdminKeyAuthenticationHandler.SchemeName, context.Document)] = [],
                    }];
                return Task.CompletedTask;
            });
        });
}
