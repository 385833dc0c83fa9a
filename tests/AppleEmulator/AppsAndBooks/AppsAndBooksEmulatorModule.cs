using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ManagedDistribution.AppleEmulator.AppsAndBooks;

public static class AppsAndBooksEmulatorModule
{
    public static IServiceCollection AddAppsAndBooksEmulator(this IServiceCollection services)
    {
        services.AddOptions<AppsAndBooksEmulatorOptions>().BindConfiguration(AppsAndBooksEmulatorOptions.SectionName);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<AppsAndBooksEmulator>();
        return services;
    }

    /// <summary>Maps the API under <c>BasePath</c> (default <c>/mdm/v2</c>) and the knobs under
    /// <c>/emulator/appsandbooks</c>, and loads the seed file if one is configured.</summary>
    public static WebApplication MapAppsAndBooksEmulator(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<AppsAndBooksEmulatorOptions>>().Value;
        var emulator = app.Services.GetRequiredService<AppsAndBooksEmulator>();
        if (options.SeedFile is { Length: > 0 } seedFile) EmulatorSeed.Load(emulator, File.ReadAllText(seedFile));

        var basePath = "/" + options.BasePath.Trim('/');
        var middleware = new ApiMiddleware(emulator, basePath);
        app.Use((context, next) => middleware.InvokeAsync(context, next));

        var api = app.MapGroup(basePath);
        api.MapConfigEndpoints(basePath);
        api.MapAssetEndpoints();
        api.MapUserEndpoints();
        // Known paths with the wrong method answer 9726 rather than ASP.NET's bare 405.
        api.Map("{**rest}", (string rest) => ConfigEndpoints.IsKnownPath(rest)
            ? Results.Json(AppleErrors.Error(9726), WireJson.Options, statusCode: 405)
            : Results.NotFound());
        app.MapAppsAndBooksAdmin();
        return app;
    }
}
