namespace ManagedDistribution.Platform.Hosting;

/// <summary>
/// Calls a handler the same way for both trigger sources: a fresh DI scope per invocation and a
/// log scope carrying <c>FunctionName</c>, <c>InvocationId</c>, <c>MessageId</c> and
/// <c>DequeueCount</c> (STYLE.md habit 14), so poison candidates stand out in the logs.
/// Failures are logged here once and rethrown for the trigger source to act on.
/// </summary>
public sealed partial class FunctionInvoker(IServiceScopeFactory scopes, TimeProvider time, ILogger<FunctionInvoker> logger)
{
    public async Task InvokeAsync(QueueFunction function, QueueInvocation invocation, CancellationToken cancellationToken)
    {
        using var _ = logger.BeginScope(new Dictionary<string, object?>
        {
            ["FunctionName"] = function.Name,
            ["InvocationId"] = invocation.InvocationId,
            ["MessageId"] = invocation.MessageId,
            ["DequeueCount"] = invocation.DequeueCount,
        });
        await RunAsync(function, sp => ((IQueueHandler)sp.GetRequiredService(function.HandlerType)).HandleAsync(invocation, cancellationToken));
    }

    public async Task InvokeAsync(TimerFunction function, TimerInvocation invocation, CancellationToken cancellationToken)
    {
        using var _ = logger.BeginScope(new Dictionary<string, object?>
        {
            ["FunctionName"] = function.Name,
            ["InvocationId"] = invocation.InvocationId,
            ["ScheduledTime"] = invocation.ScheduledTime,
            ["IsPastDue"] = invocation.IsPastDue,
        });
        await RunAsync(function, sp => ((ITimerHandler)sp.GetRequiredService(function.HandlerType)).HandleAsync(invocation, cancellationToken));
    }

    async Task RunAsync(FunctionDescriptor function, Func<IServiceProvider, Task> handle)
    {
        var started = time.GetTimestamp();
        await using var scope = scopes.CreateAsyncScope();
        try
        {
            await handle(scope.ServiceProvider);
            LogSucceeded(function.Name, time.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (OperationCanceledException)
        {
            LogCanceled(function.Name);
            throw;
        }
        catch (Exception e)
        {
            LogFailed(e, function.Name, e.GetType().Name);
            throw;
        }
    }

    [LoggerMessage(LogLevel.Information, "{FunctionName} succeeded in {ElapsedMs:0} ms")]
    partial void LogSucceeded(string functionName, double elapsedMs);

    [LoggerMessage(LogLevel.Warning, "{FunctionName} was canceled")]
    partial void LogCanceled(string functionName);

    [LoggerMessage(LogLevel.Error, "{FunctionName} failed with {ErrorType}")]
    partial void LogFailed(Exception exception, string functionName, string errorType);
}
