using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ManagedDistribution.AppleEmulator.Apns;

/// <summary>
/// <c>POST /3/device/{token}</c> as APNs answers it for MDM pushes (apple.md §4.2–4.3): the
/// client certificate decides the topic, headers and body are checked in Apple's order, and
/// errors come back as <c>{"reason": …}</c> with an <c>apns-id</c> header. "BadPayload" is the
/// emulator's own reason for a body that is not exactly <c>{"mdm":"…"}</c>.
/// </summary>
sealed class ApnsRequestHandler(ApnsRegistry registry, ClientCertificateCheck certificates)
{
    const string PathPrefix = "/3/device/";
    const int MaxPayloadBytes = 4096;

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var apnsId = request.Headers["apns-id"].ToString();
        if (apnsId.Length == 0) apnsId = Guid.NewGuid().ToString("D");
        context.Response.Headers["apns-id"] = apnsId;

        var path = request.Path.Value ?? "";
        if (!path.StartsWith(PathPrefix, StringComparison.Ordinal)) { await FailAsync(context, 404, "BadPath"); return; }
        if (!HttpMethods.IsPost(request.Method)) { await FailAsync(context, 405, "MethodNotAllowed"); return; }
        var certificateTopic = certificates.TopicOf(context.Connection.ClientCertificate);
        if (certificateTopic is null) { await FailAsync(context, 403, "BadCertificate"); return; }

        var token = path[PathPrefix.Length..];
        var payload = await ReadBodyAsync(request, context.RequestAborted);
        var failure = Validate(request, token, certificateTopic, apnsId, payload, out var magic);
        if (failure is null)
        {
            token = token.ToLowerInvariant();
            failure = registry.FailureFor(token);
        }
        if (failure is not null) { await FailAsync(context, failure); return; }

        registry.Record(new DeliveredPush(token, certificateTopic, magic!, PriorityOf(request), ExpirationOf(request),
            apnsId, registry.TimeProvider.GetUtcNow()));
        context.Response.StatusCode = 200;
    }

    static ApnsFailure? Validate(HttpRequest request, string token, string certificateTopic, string apnsId, byte[]? payload, out string? magic)
    {
        magic = null;
        var headers = request.Headers;
        if (token.Length == 0) return new(400, "MissingDeviceToken");
        if (token.Length % 2 != 0 || !token.All(char.IsAsciiHexDigit)) return new(400, "BadDeviceToken");
        if (headers["apns-push-type"] != "mdm") return new(400, "InvalidPushType");
        var topic = headers["apns-topic"].ToString();
        if (topic.Length == 0) return new(400, "MissingTopic");
        if (topic != certificateTopic) return new(400, "TopicDisallowed");
        if (headers.ContainsKey("apns-priority") && headers["apns-priority"].ToString() is not ("10" or "5" or "1")) return new(400, "BadPriority");
        if (headers.ContainsKey("apns-expiration") && !long.TryParse(headers["apns-expiration"], NumberStyles.None, CultureInfo.InvariantCulture, out _))
            return new(400, "BadExpirationDate");
        if (!Guid.TryParseExact(apnsId, "D", out _)) return new(400, "BadMessageId");
        if (payload is null) return new(413, "PayloadTooLarge");
        if (payload.Length == 0) return new(400, "PayloadEmpty");
        magic = MagicOf(payload);
        return magic is null ? new(400, "BadPayload") : null;
    }

    /// <summary>The push magic if the body is exactly one JSON object with a single string "mdm" property.</summary>
    static string? MagicOf(byte[] payload)
    {
        try
        {
            var reader = new Utf8JsonReader(payload);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
            if (!reader.Read() || reader.TokenType != JsonTokenType.PropertyName || !reader.ValueTextEquals("mdm"u8)) return null;
            if (!reader.Read() || reader.TokenType != JsonTokenType.String) return null;
            var magic = reader.GetString();
            if (!reader.Read() || reader.TokenType != JsonTokenType.EndObject || reader.Read()) return null;
            return magic;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The body, or null when it exceeds APNs' 4 KB limit.</summary>
    static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var reader = request.BodyReader;
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            if (buffer.Length > MaxPayloadBytes)
            {
                reader.AdvanceTo(buffer.End);
                return null;
            }
            if (result.IsCompleted)
            {
                var bytes = buffer.ToArray();
                reader.AdvanceTo(buffer.End);
                return bytes;
            }
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    static int PriorityOf(HttpRequest request) =>
        int.TryParse(request.Headers["apns-priority"], CultureInfo.InvariantCulture, out var priority) ? priority : 10;

    static long ExpirationOf(HttpRequest request) =>
        long.TryParse(request.Headers["apns-expiration"], CultureInfo.InvariantCulture, out var expiration) ? expiration : 0;

    static Task FailAsync(HttpContext context, int status, string reason) => FailAsync(context, new ApnsFailure(status, reason));

    static Task FailAsync(HttpContext context, ApnsFailure failure)
    {
        var response = context.Response;
        response.StatusCode = failure.Status;
        response.ContentType = "application/json";
        if (failure.RetryAfter is { } retryAfter)
            response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        var body = failure.Timestamp is { } timestamp
            ? $$"""{"reason":"{{failure.Reason}}","timestamp":{{timestamp.ToUnixTimeMilliseconds()}}}"""
            : $$"""{"reason":"{{failure.Reason}}"}""";
        return response.Body.WriteAsync(Encoding.UTF8.GetBytes(body), context.RequestAborted).AsTask();
    }
}
