using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace ManagedDistribution.Platform.Hosting;

/// <summary>
/// <c>POST /&lt;FunctionName&gt;</c>: the Functions host's invocation of a queue or timer function
/// (contracts/azure.md §1.4-1.5). 200 with <c>{Outputs:{},Logs:[...],ReturnValue:null}</c> on
/// success; 500 with the same shape on failure so the host retries and eventually poisons.
/// </summary>
/// <remarks>
/// Who may call: under the host, Kestrel listens on loopback only and the public HTTP functions
/// forward only <c>/api/**</c> and <c>/mdm/**</c>. Standalone, the routes exist only in Development
/// (tests POST envelopes, STYLE.md habit 15) or when <c>Hosting:InvocationEndpoints</c> says so, and
/// in every mode a caller must be on loopback (or in-memory, as TestServer is): a header such as
/// <c>X-Azure-Functions-InvocationId</c> would prove nothing, anyone can send it.
/// </remarks>
static class InvocationEndpoints
{
    /// <summary>Always under the host (it cannot work without them); standalone per option, default Development only.</summary>
    public static bool Enabled(WebApplication app) =>
        app.Services.GetRequiredService<FunctionsHostEnvironment>().IsFunctionsHost
        || (app.Services.GetRequiredService<IOptions<HostingOptions>>().Value.InvocationEndpoints ?? app.Environment.IsDevelopment());

    public static void Map(IEndpointRouteBuilder endpoints, FunctionRegistry registry)
    {
        // Anonymous on purpose: the caller is the host on loopback, which sends no credentials;
        // the loopback check below is the gate, not an app-wide authorization policy.
        var group = endpoints.MapGroup("").ExcludeFromDescription().AllowAnonymous();
        foreach (var function in registry.Functions)
            group.MapPost("/" + function.Name, (HttpContext context, FunctionInvoker invoker, TimeProvider time, ILoggerFactory logs) =>
                InvokeAsync(context, function, invoker, time, logs.CreateLogger(typeof(InvocationEndpoints))))
                .WithName(function.Name);
    }

    static async Task<IResult> InvokeAsync(HttpContext context, FunctionDescriptor function, FunctionInvoker invoker, TimeProvider time, ILogger logger)
    {
        if (!IsLocal(context.Connection.RemoteIpAddress))
        {
            logger.LogWarning("Refused invocation of {FunctionName} from a non-loopback address", function.Name);
            return Results.StatusCode(StatusCodes.Status403Forbidden);
        }
        var invocationId = context.Request.Headers[FunctionsHostEnvironment.InvocationIdHeader].FirstOrDefault() is { Length: > 0 } id
            ? id : Guid.NewGuid().ToString();
        Func<CancellationToken, Task> invoke;
        try
        {
            using var body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            invoke = function switch
            {
                QueueFunction queue => Bind(invoker, queue, InvocationEnvelope.ReadQueue(body.RootElement, queue, invocationId)),
                TimerFunction timer => Bind(invoker, timer, InvocationEnvelope.ReadTimer(body.RootElement, timer, invocationId, time.GetUtcNow())),
                _ => throw new InvalidOperationException($"No invoker for {function.Kind}."),
            };
        }
        catch (Exception e) when (e is JsonException or InvalidInvocationException)
        {
            return Answer(StatusCodes.Status400BadRequest, $"{function.Name}: not an invocation envelope ({e.Message}).");
        }
        try
        {
            await invoke(context.RequestAborted);
            return Answer(StatusCodes.Status200OK, $"{function.Name} succeeded (invocation {invocationId}).");
        }
        catch (Exception e)
        {
            // The invoker logged the exception; the host gets a summary without message or stack trace.
            return Answer(StatusCodes.Status500InternalServerError,
                $"{function.Name} failed with {e.GetType().Name}; see the app log for invocation {invocationId}.");
        }
    }

    static Func<CancellationToken, Task> Bind(FunctionInvoker invoker, QueueFunction function, QueueInvocation invocation) =>
        ct => invoker.InvokeAsync(function, invocation, ct);

    static Func<CancellationToken, Task> Bind(FunctionInvoker invoker, TimerFunction function, TimerInvocation invocation) =>
        ct => invoker.InvokeAsync(function, invocation, ct);

    static IResult Answer(int status, string log) => Results.Json(InvocationResult.WithLogs(log), statusCode: status);

    static bool IsLocal(IPAddress? remote) => remote is null || IPAddress.IsLoopback(remote);
}
