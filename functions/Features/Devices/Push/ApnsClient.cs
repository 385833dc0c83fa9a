using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace ManagedDistribution.Features.Devices.Push;

/// <summary>
/// Sends MDM pushes to APNs over HTTP/2 with the push certificate as TLS client identity
/// (apple.md §4). Expected outcomes, including refusals and certificate trouble, come back as
/// <see cref="PushResult"/> values; 429/5xx/connection failures are retried with jittered
/// exponential back-off first. The certificate is loaded on first use. Singleton.
/// </summary>
public sealed class ApnsClient : IDisposable
{
    static readonly MediaTypeHeaderValue Json = new("application/json");
    static readonly TimeSpan LoadRetryInterval = TimeSpan.FromSeconds(30);

    readonly ApnsOptions options;
    readonly ApnsHealth health;
    readonly TimeProvider timeProvider;
    readonly ILogger<ApnsClient> logger;
    readonly Uri deviceEndpoint;
    readonly Lock loadGate = new();
    ApnsTransport? transport;
    (DateTimeOffset RetryAt, PushResult Failure)? loadFailure;

    public ApnsClient(IOptions<ApnsOptions> options, ApnsHealth health, TimeProvider timeProvider, ILogger<ApnsClient> logger)
    {
        this.options = options.Value;
        this.health = health;
        this.timeProvider = timeProvider;
        this.logger = logger;
        deviceEndpoint = new Uri(this.options.BaseUrl, "/3/device/");
    }

    public Uri Endpoint => options.BaseUrl;

    /// <summary>Sends one push, retrying transient failures up to <see cref="ApnsOptions.MaxRetries"/> times.</summary>
    public async Task<PushResult> SendAsync(PushTarget target, CancellationToken cancellationToken = default)
    {
        if (!IsHex(target.DeviceToken)) return new PushResult.BadToken("BadDeviceToken");
        if (TryGetTransport() is { } unavailable) return unavailable;
        var body = BodyFor(target.PushMagic);
        for (var attempt = 0; ; attempt++)
        {
            var result = await SendOnceAsync(transport!, target, body, cancellationToken);
            if (result is not PushResult.RetryLater retry || attempt >= options.MaxRetries || !TryDelay(retry, attempt, out var delay))
                return Conclude(target, result);
            ApnsLog.Retrying(logger, target.TokenPrefix, retry.Status, retry.Reason, attempt + 1, delay);
            await Task.Delay(delay, timeProvider, cancellationToken);
        }
    }

    /// <summary>
    /// Sends many pushes with up to <paramref name="maxParallel"/> (default <see cref="ApnsOptions.MaxParallel"/>)
    /// in flight as HTTP/2 streams. The results are in the order of <paramref name="targets"/>.
    /// </summary>
    public async Task<IReadOnlyList<PushResult>> SendManyAsync(IEnumerable<PushTarget> targets, int? maxParallel = null,
        CancellationToken cancellationToken = default)
    {
        var list = targets as IReadOnlyList<PushTarget> ?? targets.ToArray();
        var results = new PushResult[list.Count];
        var next = -1;
        async Task Worker()
        {
            for (int i; (i = Interlocked.Increment(ref next)) < list.Count;)
                results[i] = await SendAsync(list[i], cancellationToken);
        }
        var workers = Math.Clamp(maxParallel ?? options.MaxParallel, 1, Math.Max(1, list.Count));
        await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(Worker, cancellationToken)));
        return results;
    }

    async Task<PushResult> SendOnceAsync(ApnsTransport transport, PushTarget target, byte[] body, CancellationToken cancellationToken)
    {
        using var request = BuildRequest(target, body);
        try
        {
            using var response = await transport.Http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
            var apnsId = response.Headers.TryGetValues("apns-id", out var ids) ? ids.FirstOrDefault() : null;
            var errorBody = response.StatusCode == HttpStatusCode.OK ? [] : await response.Content.ReadAsByteArrayAsync(cancellationToken);
            return ApnsResponse.Classify((int)response.StatusCode, apnsId, errorBody, ApnsResponse.RetryAfterOf(response, timeProvider.GetUtcNow()));
        }
        catch (HttpRequestException e) when (e.HttpRequestError == HttpRequestError.SecureConnectionError)
        {
            return new PushResult.CertificateProblem("TlsHandshakeFailed: " + (e.InnerException?.Message ?? e.Message));
        }
        catch (HttpRequestException e)
        {
            return new PushResult.RetryLater(0, e.HttpRequestError.ToString(), null);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new PushResult.RetryLater(0, "Timeout", null);
        }
    }

    HttpRequestMessage BuildRequest(PushTarget target, byte[] body)
    {
        // A hand-built request defaults to HTTP/1.1, and without h2 in ALPN APNs refuses it (apple.md §4.5).
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(deviceEndpoint, target.DeviceToken))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(body) { Headers = { ContentType = Json } },
        };
        var headers = request.Headers;
        headers.TryAddWithoutValidation("apns-push-type", "mdm");
        headers.TryAddWithoutValidation("apns-topic", target.Topic);
        headers.TryAddWithoutValidation("apns-priority", options.DefaultPriority.ToString(CultureInfo.InvariantCulture));
        headers.TryAddWithoutValidation("apns-expiration", ExpirationHeader());
        return request;
    }

    string ExpirationHeader() => options.Expiration <= TimeSpan.Zero
        ? "0"
        : (timeProvider.GetUtcNow() + options.Expiration).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    /// <summary>Exactly <c>{"mdm":"&lt;PushMagic&gt;"}</c>, no <c>aps</c> dictionary.</summary>
    static byte[] BodyFor(string pushMagic) =>
        Encoding.UTF8.GetBytes($$"""{"mdm":"{{JsonEncodedText.Encode(pushMagic)}}"}""");

    bool TryDelay(PushResult.RetryLater retry, int attempt, out TimeSpan delay)
    {
        var backOff = options.RetryBaseDelay * Math.Pow(2, attempt) * (0.5 + Random.Shared.NextDouble() / 2);
        delay = retry.RetryAfter is { } retryAfter && retryAfter > backOff ? retryAfter : backOff;
        return delay <= options.MaxRetryDelay;
    }

    PushResult Conclude(PushTarget target, PushResult result)
    {
        switch (result)
        {
            case PushResult.Delivered:
                health.Delivered(timeProvider.GetUtcNow());
                break;
            case PushResult.CertificateProblem problem:
                health.CertificateFailed(problem.Reason, timeProvider.GetUtcNow());
                ApnsLog.CertificateProblem(logger, problem.Reason, target.Topic);
                break;
            case PushResult.BadToken or PushResult.Unregistered:
                ApnsLog.TokenRefused(logger, target.TokenPrefix, result.GetType().Name);
                break;
            default:
                ApnsLog.PushFailed(logger, target.TokenPrefix, result.ToString());
                break;
        }
        return result;
    }

    /// <summary>Null when the transport is ready, else why nothing can be sent.</summary>
    PushResult? TryGetTransport()
    {
        if (Volatile.Read(ref transport) is not null) return null;
        if (!options.HasCertificate) return new PushResult.NotConfigured();
        lock (loadGate)
        {
            if (transport is not null) return null;
            var now = timeProvider.GetUtcNow();
            if (loadFailure is { } failed && now < failed.RetryAt) return failed.Failure;
            try
            {
                var loaded = ApnsTransport.Create(options);
                health.CertificateLoaded(loaded.Topic, loaded.Certificate.NotAfter);
                ApnsLog.CertificateLoaded(logger, loaded.Topic, loaded.Certificate.NotAfter);
                Volatile.Write(ref transport, loaded);
                return null;
            }
            catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
            {
                var failure = new PushResult.CertificateProblem("CertificateLoadFailed: " + e.Message);
                loadFailure = (now + LoadRetryInterval, failure);
                health.CertificateFailed(failure.Reason, now);
                ApnsLog.CertificateProblem(logger, failure.Reason, null);
                return failure;
            }
        }
    }

    static bool IsHex(string token) => token.Length > 0 && token.Length % 2 == 0 && token.All(char.IsAsciiHexDigit);

    public void Dispose() => transport?.Dispose();
}
