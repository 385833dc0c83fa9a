using System.Globalization;
using Microsoft.AspNetCore.Http.Metadata;

namespace ManagedDistribution.Platform.Http;

/// <summary>
/// Checks an endpoint's number and yes/no parameters (<c>pageSize=abc</c>, <c>force=maybe</c>)
/// before it runs, throwing <see cref="BadHttpRequestException"/> that names the parameter. Why:
/// endpoints are compiled by the Request Delegate Generator, which answers an unparsable optional
/// value with a bare 400 (no detail) even with <c>ThrowOnBadRequest</c>, where the runtime factory
/// threw "Failed to bind parameter …" and the problem answer said which value was wrong.
/// </summary>
sealed class QueryValueCheckMiddleware(RequestDelegate next)
{
    static readonly Dictionary<Type, (Func<string, bool> Parses, string Expected)> Checks = new()
    {
        [typeof(int)] = (s => int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out _), "a whole number"),
        [typeof(long)] = (s => long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out _), "a whole number"),
        [typeof(bool)] = (s => bool.TryParse(s, out _), "true or false"),
    };

    public Task InvokeAsync(HttpContext context)
    {
        var parameters = context.GetEndpoint()?.Metadata.GetOrderedMetadata<IParameterBindingMetadata>() ?? [];
        foreach (var parameter in parameters)
        {
            var type = Nullable.GetUnderlyingType(parameter.ParameterInfo.ParameterType) ?? parameter.ParameterInfo.ParameterType;
            if (!Checks.TryGetValue(type, out var check)) continue;
            var raw = context.Request.RouteValues.TryGetValue(parameter.Name, out var route) ? route?.ToString()
                : context.Request.Query.TryGetValue(parameter.Name, out var query) ? query.ToString() : null;
            if (!string.IsNullOrEmpty(raw) && !check.Parses(raw))
                throw new BadHttpRequestException($"{parameter.Name} must be {check.Expected}, not \"{Shorten(raw)}\".");
        }
        return next(context);
    }

    static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "…";
}
