using System.Text.Json;
using ManagedDistribution.Features.AppsAndBooks.Models;

namespace ManagedDistribution.Features.AppsAndBooks;

/// <summary>
/// Finds Apple's <c>{errorNumber, errorMessage, errorInfo}</c> in any response body. Apple has
/// answered HTTP 200 with an error body, so the status alone is never trusted.
/// </summary>
internal static class AppsAndBooksErrorReader
{
    public static AppsAndBooksError? TryRead(byte[] body)
    {
        if (body.Length == 0) return null;
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!JsonDocument.TryParseValue(ref reader, out var document)) return null;
            using (document)
            {
                if (document.RootElement.ValueKind != JsonValueKind.Object
                    || !document.RootElement.TryGetProperty("errorNumber", out var number)
                    || number.ValueKind != JsonValueKind.Number)
                    return null;
                return document.RootElement.Deserialize(AppsAndBooksJson.Default.AppsAndBooksError);
            }
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static AppsAndBooksException ToException(int status, AppsAndBooksError? error, TimeSpan? retryAfter, string operation)
    {
        var message = error is null
            ? $"Apps and Books {operation} failed with HTTP {status}."
            : $"Apps and Books {operation} failed: {error.ErrorNumber} {error.ErrorMessage} (HTTP {status}).";
        return new AppsAndBooksException(status, error?.ErrorNumber, message, error?.ErrorInfo) { RetryAfter = retryAfter };
    }
}
