using System.Net;
using System.Text.Json;

namespace ManagedDistribution.Features.Devices.Push;

/// <summary>Turns an APNs answer into a <see cref="PushResult"/> (apple.md §4.3). Pure: no I/O.</summary>
static class ApnsResponse
{
    public static PushResult Classify(int status, string? apnsId, ReadOnlySpan<byte> body, TimeSpan? retryAfter)
    {
        if (status == 200) return new PushResult.Delivered(apnsId ?? "");
        var (reason, timestamp) = ParseError(body);
        reason ??= ((HttpStatusCode)status).ToString();
        return status switch
        {
            400 when reason is "BadDeviceToken" or "DeviceTokenNotForTopic" => new PushResult.BadToken(reason),
            403 => new PushResult.CertificateProblem(reason),
            410 => new PushResult.Unregistered(reason, timestamp is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null),
            429 or >= 500 => new PushResult.RetryLater(status, reason, retryAfter),
            _ => new PushResult.OtherPermanentError(status, reason),
        };
    }

    /// <summary>The Retry-After header as a delay from <paramref name="now"/>.</summary>
    public static TimeSpan? RetryAfterOf(HttpResponseMessage response, DateTimeOffset now) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date > now ? date - now : TimeSpan.Zero,
        _ => null,
    };

    /// <summary>Reads <c>{"reason": "...", "timestamp": ms}</c>; tolerates anything else.</summary>
    static (string? Reason, long? Timestamp) ParseError(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty) return (null, null);
        try
        {
            var reader = new Utf8JsonReader(body);
            string? reason = null;
            long? timestamp = null;
            while (reader.Read())
            {
                if (reader.TokenType != JsonTokenType.PropertyName || reader.CurrentDepth != 1) continue;
                var name = reader.GetString();
                reader.Read();
                if (name == "reason" && reader.TokenType == JsonTokenType.String) reason = reader.GetString();
                else if (name == "timestamp" && reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var ms)) timestamp = ms;
                else reader.Skip();
            }
            return (reason, timestamp);
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }
}
