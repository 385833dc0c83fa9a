using System.Text.Json;

namespace ManagedDistribution.AppleEmulator.AppsAndBooks;

/// <summary>Per-request helpers shared by the emulated endpoints.</summary>
internal static class ApiContext
{
    const string LocationKey = "AppsAndBooks.Location";

    public static void SetLocation(this HttpContext context, EmulatedLocation location) => context.Items[LocationKey] = location;

    /// <summary>The location the middleware authenticated from the bearer sToken.</summary>
    public static EmulatedLocation Location(this HttpContext context) =>
        context.Items[LocationKey] as EmulatedLocation ?? throw new AppleErrorException(9601);

    /// <summary>Reads a POST body: 9727 unless JSON, 9602 if it does not parse.</summary>
    public static async Task<T> BodyAsync<T>(this HttpContext context)
    {
        if (!context.Request.HasJsonContentType()) throw new AppleErrorException(9727);
        try
        {
            return await context.Request.ReadFromJsonAsync<T>(WireJson.Options, context.RequestAborted)
                ?? throw new AppleErrorException(9602);
        }
        catch (JsonException)
        {
            throw new AppleErrorException(9602);
        }
    }

    public static bool? Flag(this HttpContext context, string name) =>
        context.Request.Query[name].FirstOrDefault() is { } text ? bool.TryParse(text, out var b) ? b : throw new AppleErrorException(9602) : null;

    public static int? Number(this HttpContext context, string name) =>
        context.Request.Query[name].FirstOrDefault() is { } text ? int.TryParse(text, out var n) ? n : throw new AppleErrorException(9602) : null;

    public static string? Text(this HttpContext context, string name) => context.Request.Query[name].FirstOrDefault();

    public static IResult Json(object body, int status = 200) => Results.Json(body, WireJson.Options, statusCode: status);
}
