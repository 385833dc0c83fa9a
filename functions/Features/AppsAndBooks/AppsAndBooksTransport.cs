using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using ManagedDistribution.Features.AppsAndBooks.Models;
using Microsoft.Extensions.Options;

namespace ManagedDistribution.Features.AppsAndBooks;

/// <summary>
/// Sends one Apps and Books call: bearer sToken, JSON body, Apple's error body read from every
/// response (HTTP 200 included), bounded retries on load shedding and server errors honouring
/// Retry-After, and the <c>mdmInfo</c> comparison. Never logs the token.
/// </summary>
internal sealed class AppsAndBooksTransport(
    HttpClient http, IOptions<AppsAndBooksOptions> options, TimeProvider time, ILogger logger, IReadOnlyList<IMdmInfoConflictObserver> conflictObservers)
{
    readonly AppsAndBooksOptions settings = options.Value;
    readonly Uri baseUrl = WithTrailingSlash(options.Value.BaseUrl);

    public Uri BaseUrl => baseUrl;

    public Task<TResponse> GetAsync<TResponse>(
        string relativeUri, LocationToken? token, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken)
        where TResponse : class =>
        SendAsync(HttpMethod.Get, relativeUri, token, content: null, responseType, cancellationToken);

    public Task<TResponse> PostAsync<TBody, TResponse>(
        string relativeUri, LocationToken token, TBody body, JsonTypeInfo<TBody> bodyType,
        JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken)
        where TResponse : class =>
        SendAsync(HttpMethod.Post, relativeUri, token, JsonSerializer.SerializeToUtf8Bytes(body, bodyType), responseType, cancellationToken);

    async Task<TResponse> SendAsync<TResponse>(
        HttpMethod method, string relativeUri, LocationToken? token, byte[]? content,
        JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken)
        where TResponse : class
    {
        var operation = relativeUri.Split('?')[0];
        for (var attempt = 0; ; attempt++)
        {
            using var request = BuildRequest(method, relativeUri, token, content);
            AppsAndBooksException failure;
            try
            {
                using var response = await http.SendAsync(request, cancellationToken);
                var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
                var error = AppsAndBooksErrorReader.TryRead(body);
                if (error is null && response.IsSuccessStatusCode)
                {
                    var decoded = Decode(body, responseType, (int)response.StatusCode, operation);
                    if (decoded is AppsAndBooksResponse { MdmInfoConflict: true, UId: { } uId, MdmInfo: { } other })
                        foreach (var observer in conflictObservers) await observer.MdmInfoConflictAsync(uId, other, cancellationToken);
                    return decoded;
                }
                failure = AppsAndBooksErrorReader.ToException((int)response.StatusCode, error, RetryAfterOf(response), operation);
            }
            catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
                failure = new AppsAndBooksException(0, null, $"Apps and Books {operation} unreachable: {e.Message}", inner: e);
                // A GET can be repeated safely; a POST that may have reached Apple cannot (no idempotency key).
                if (method != HttpMethod.Get) throw failure;
            }

            if (!failure.IsTransient || attempt >= settings.MaxRetries) throw failure;
            if (failure.RetryAfter > settings.MaxRetryAfter) throw failure;
            var delay = failure.RetryAfter ?? Backoff(attempt);
            logger.LogWarning(
                "Apps and Books {Operation} answered {Status}/{ErrorNumber}; retry {Attempt} in {DelayMs} ms",
                operation, failure.Status, failure.ErrorNumber, attempt + 1, (long)delay.TotalMilliseconds);
            await Task.Delay(delay, time, cancellationToken);
        }
    }

    HttpRequestMessage BuildRequest(HttpMethod method, string relativeUri, LocationToken? token, byte[]? content)
    {
        var request = new HttpRequestMessage(method, new Uri(baseUrl, relativeUri));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (token is { } t) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", t.Value);
        if (content is not null)
        {
            request.Content = new ByteArrayContent(content);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }
        return request;
    }

    TResponse Decode<TResponse>(byte[] body, JsonTypeInfo<TResponse> responseType, int status, string operation)
        where TResponse : class
    {
        TResponse? result;
        try
        {
            result = JsonSerializer.Deserialize(body, responseType);
        }
        catch (JsonException e)
        {
            throw new AppsAndBooksException(status, null, $"Apps and Books {operation} returned unreadable JSON.", inner: e);
        }
        if (result is null) throw new AppsAndBooksException(status, null, $"Apps and Books {operation} returned an empty body.");
        if (result is AppsAndBooksResponse r) MarkMdmInfo(r, operation);
        return result;
    }

    void MarkMdmInfo(AppsAndBooksResponse response, string operation)
    {
        if (response.MdmInfo is not { } info || string.Equals(info.Id, settings.MdmId, StringComparison.Ordinal)) return;
        response.MdmInfoConflict = true;
        logger.LogWarning(
            "Apps and Books location {LocationUId} is managed by another MDM {OtherMdmId} ({OtherMdmName}), seen on {Operation}",
            response.UId, info.Id, info.Name, operation);
    }

    TimeSpan? RetryAfterOf(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta) return delta;
        if (header?.Date is { } date)
        {
            var wait = date - time.GetUtcNow();
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }
        return null;
    }

    TimeSpan Backoff(int attempt)
    {
        var ticks = settings.InitialRetryDelay.Ticks * Math.Pow(2, attempt);
        return ticks >= settings.MaxRetryDelay.Ticks ? settings.MaxRetryDelay : TimeSpan.FromTicks((long)ticks);
    }

    static Uri WithTrailingSlash(Uri uri) =>
        uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");
}
