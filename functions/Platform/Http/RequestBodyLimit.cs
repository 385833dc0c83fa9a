using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;

namespace ManagedDistribution.Platform.Http;

/// <summary>
/// Enforces <see cref="HttpOptions.MaxRequestBodyBytes"/> the same way under Kestrel and the test
/// server: a declared Content-Length over the limit is refused before any endpoint runs, and a
/// chunked body is counted as it is read. An endpoint may carry its own limit
/// (<c>.WithMetadata(new RequestSizeLimitAttribute(bytes))</c>, i.e. <see cref="IRequestSizeLimitMetadata"/>),
/// e.g. bulk imports; the middleware runs after routing so it can see it. Minimal APIs treat a body read failure as a client
/// disconnect and send nothing, so when the limit tripped and no response has started this
/// middleware writes the 413 problem itself.
/// </summary>
sealed class RequestBodyLimitMiddleware(RequestDelegate next, IOptions<HttpOptions> options, IProblemDetailsService problems)
{
    readonly long defaultLimit = options.Value.MaxRequestBodyBytes;

    public async Task InvokeAsync(HttpContext context)
    {
        var limit = context.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>()?.MaxRequestBodySize ?? defaultLimit;
        if (context.Request.ContentLength > limit)
        {
            await WriteTooLargeAsync(context, limit);
            return;
        }

        var serverLimit = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (serverLimit is { IsReadOnly: false }) serverLimit.MaxRequestBodySize = limit;
        var counted = new LimitedReadStream(context.Request.Body, limit);
        context.Request.Body = counted;

        await next(context);

        if (counted.LimitExceeded && !context.Response.HasStarted) await WriteTooLargeAsync(context, limit);
    }

    Task WriteTooLargeAsync(HttpContext context, long limit)
    {
        context.Response.Clear();
        context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
        return problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = Problems.Create(ProblemCodes.PayloadTooLarge, $"The request body may not exceed {limit} bytes."),
        }).AsTask();
    }
}

/// <summary>A read-only view of the request body that throws the server's own 413 exception past the limit.</summary>
sealed class LimitedReadStream(Stream inner, long limit) : Stream
{
    long read;

    public bool LimitExceeded { get; private set; }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int count;
        try
        {
            count = await inner.ReadAsync(buffer, cancellationToken);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            LimitExceeded = true;
            throw;
        }
        return Count(count);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

    int Count(int count)
    {
        read += count;
        if (read <= limit) return count;
        LimitExceeded = true;
        throw new BadHttpRequestException("Request body too large.", StatusCodes.Status413PayloadTooLarge);
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => read; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
