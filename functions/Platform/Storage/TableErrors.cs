using System.Text.Json;
using Azure;

namespace ManagedDistribution.Platform.Storage;

/// <summary>
/// Turns a failed Table response into <see cref="StorageRequestFailedException"/>: the code from
/// <c>x-ms-error-code</c>, else the JSON body's <c>odata.error.code</c>. The message carries the
/// operation, status, code and the service's first message line — never request headers, so
/// neither the account key nor the Authorization header can leak into logs.
/// </summary>
static class TableErrors
{
    public static StorageRequestFailedException FromResponse(Response response, string operation)
    {
        var (bodyCode, message) = ReadBody(response.Content?.ToMemory() ?? default);
        var code = response.Headers.TryGetValue("x-ms-error-code", out var header) && !string.IsNullOrEmpty(header) ? header : bodyCode;
        return new StorageRequestFailedException(response.Status, code, Describe(operation, response.Status, code, message));
    }

    public static string Describe(string operation, int status, string? code, string? serviceMessage) =>
        $"Table {operation} failed: {status} {code ?? "(no error code)"}" + (serviceMessage is null ? "." : $": {FirstLine(serviceMessage)}");

    /// <summary>Reads <c>{"odata.error":{"code":…,"message":{"value":…}}}</c>; tolerates XML or empty bodies.</summary>
    public static (string? Code, string? Message) ReadBody(ReadOnlyMemory<byte> body)
    {
        if (body.IsEmpty || body.Span[0] != (byte)'{') return (null, null);
        try
        {
            using var json = JsonDocument.Parse(body);
            if (!json.RootElement.TryGetProperty("odata.error", out var error)) return (null, null);
            var code = error.TryGetProperty("code", out var c) ? c.GetString() : null;
            var message = error.TryGetProperty("message", out var m)
                ? m.ValueKind == JsonValueKind.Object && m.TryGetProperty("value", out var v) ? v.GetString() : m.GetString()
                : null;
            return (code, message);
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }

    static string FirstLine(string text)
    {
        var end = text.IndexOfAny(['\r', '\n']);
        return end < 0 ? text : text[..end];
    }
}
