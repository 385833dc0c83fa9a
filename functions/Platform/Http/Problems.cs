using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace ManagedDistribution.Platform.Http;

/// <summary>
/// Builds problem results from the <see cref="ProblemCodes"/> catalog, for handlers that return
/// typed unions, e.g. <c>Results&lt;Ok&lt;T&gt;, ProblemHttpResult&gt;</c>:
/// <c>return Problems.Result(ProblemCodes.LicenseExhausted, "All 10 licenses are assigned.");</c>
/// </summary>
public static class Problems
{
    public const string CodeExtension = "code";
    public const string TraceIdExtension = "traceId";

    public static ProblemDetails Create(ProblemType type, string? detail = null, int? status = null) => new()
    {
        Type = type.TypeUri,
        Title = type.Title,
        Status = status ?? type.Status,
        Detail = detail,
        Extensions = { [CodeExtension] = type.Code },
    };

    public static ProblemHttpResult Result(ProblemType type, string? detail = null, int? status = null) =>
        TypedResults.Problem(Create(type, detail, status));

    /// <summary>Fills <c>type</c>, <c>title</c> and <c>code</c> when whoever produced the problem did not.</summary>
    internal static void Complete(ProblemDetails problem, int status)
    {
        if (problem.Extensions.ContainsKey(CodeExtension)) return;
        var type = problem is HttpValidationProblemDetails ? ProblemCodes.Validation : ProblemCodes.ForStatus(status);
        problem.Type = type.TypeUri;
        problem.Title = type.Title;
        problem.Extensions[CodeExtension] = type.Code;
    }
}
