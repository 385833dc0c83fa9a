namespace ManagedDistribution.AppleEmulator.AppsAndBooks;

/// <summary>
/// In front of every emulated API call: records it, applies latency and injected faults, checks
/// the bearer sToken (except Service Config) and turns <see cref="AppleErrorException"/> into
/// Apple's error body.
/// </summary>
internal sealed class ApiMiddleware(AppsAndBooksEmulator emulator, PathString basePath)
{
    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (!context.Request.Path.StartsWithSegments(basePath, out var rest))
        {
            await next(context);
            return;
        }
        var body = await ReadBodyAsync(context.Request);
        EmulatedLocation? location = null;
        try
        {
            if (emulator.Settings.Latency > TimeSpan.Zero) await Task.Delay(emulator.Settings.Latency, context.RequestAborted);
            if (emulator.Faults.TryTake(rest.Value ?? "", out var fault))
            {
                await WriteFaultAsync(context, fault);
                return;
            }
            if (rest != "/service/config")
            {
                location = emulator.Authenticate(context.Request.Headers.Authorization.FirstOrDefault());
                context.SetLocation(location);
            }
            await next(context);
        }
        catch (AppleErrorException e)
        {
            await WriteErrorAsync(context, e.Status, e.Error);
        }
        finally
        {
            emulator.Requests.Add(new RecordedRequest(
                context.Request.Method, rest.Value ?? "", context.Request.QueryString.Value ?? "", body, location?.UId, emulator.Time.GetUtcNow()));
        }
    }

    static async Task<string> ReadBodyAsync(HttpRequest request)
    {
        if (request.ContentLength is 0 || HttpMethods.IsGet(request.Method)) return "";
        request.EnableBuffering();
        using var reader = new StreamReader(request.Body, leaveOpen: true);
        var text = await reader.ReadToEndAsync(request.HttpContext.RequestAborted);
        request.Body.Position = 0;
        return text;
    }

    static Task WriteFaultAsync(HttpContext context, InjectedFault fault)
    {
        if (fault.RetryAfter is { } retryAfter) context.Response.Headers.RetryAfter = retryAfter;
        if (fault.ErrorNumber is { } number) return WriteErrorAsync(context, fault.Status, AppleErrors.Error(number));
        context.Response.StatusCode = fault.Status;
        return Task.CompletedTask;
    }

    static Task WriteErrorAsync(HttpContext context, int status, WireError error)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(error, WireJson.Options, context.RequestAborted);
    }
}
