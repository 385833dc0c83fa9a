using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;

namespace ManagedDistribution.Platform.Http;

/// <summary>
/// The one exception handler: turns request-binding failures (malformed JSON, wrong content
/// type, oversized body) into their 4xx problem, and anything else into a 500 <c>internal</c>
/// problem that carries only a trace id. Exception text never reaches the client.
/// </summary>
sealed partial class ApiExceptionHandler(IProblemDetailsService problemDetails, ILogger<ApiExceptionHandler> logger)
    : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        // The caller went away: nobody to answer and nothing went wrong on our side.
        if (exception is OperationCanceledException && httpContext.RequestAborted.IsCancellationRequested) return true;

        var (problem, expected) = Classify(exception);
        if (expected) LogRejected(logger, problem.Status ?? 400, problem.Extensions[Problems.CodeExtension]);
        else LogUnhandled(logger, exception, httpContext.Request.Method, httpContext.Request.Path);

        httpContext.Response.StatusCode = problem.Status ?? 500;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = problem,
            Exception = exception,
        });
    }

    static (Microsoft.AspNetCore.Mvc.ProblemDetails Problem, bool Expected) Classify(Exception exception) => exception switch
    {
        BadHttpRequestException { InnerException: JsonException json } => (Problems.Create(ProblemCodes.MalformedJson, WhereJsonFailed(json)), true),
        BadHttpRequestException { StatusCode: 413 } => (Problems.Create(ProblemCodes.PayloadTooLarge), true),
        BadHttpRequestException { StatusCode: 415 } => (Problems.Create(ProblemCodes.UnsupportedMediaType), true),
        // The framework's binding messages name the parameter and never echo the request body.
        BadHttpRequestException bad when bad.StatusCode < 500 =>
            (Problems.Create(ProblemCodes.ForStatus(bad.StatusCode), bad.Message, bad.StatusCode), true),
        _ => (Problems.Create(ProblemCodes.Internal, "The error has been logged; quote the traceId when reporting it."), false),
    };

    // Position only: JsonException's message can quote parts of the body.
    static string WhereJsonFailed(JsonException json) =>
        $"The body could not be read as JSON at {json.Path ?? "$"} (line {json.LineNumber + 1}, byte {json.BytePositionInLine + 1}).";

    [LoggerMessage(Level = LogLevel.Information, Message = "Request rejected with {StatusCode} {ProblemCode}")]
    static partial void LogRejected(ILogger logger, int statusCode, object? problemCode);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception in {Method} {Path}")]
    static partial void LogUnhandled(ILogger logger, Exception exception, string method, string path);
}
