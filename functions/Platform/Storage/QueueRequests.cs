using System.Xml.Linq;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace ManagedDistribution.Platform.Storage;

/// <summary>Request plumbing shared by the queue clients: URLs, common headers, error mapping.</summary>
static class QueueRequests
{
    public static Uri Url(Uri endpoint, string path, string? query = null)
    {
        var builder = new UriBuilder(endpoint);
        builder.Path = builder.Path.TrimEnd('/') + (path.Length == 0 ? "/" : "/" + path);
        builder.Query = query ?? "";
        return builder.Uri;
    }

    public static HttpMessage Create(HttpPipeline pipeline, RequestMethod method, Uri uri)
    {
        var message = pipeline.CreateMessage();
        message.Request.Method = method;
        message.Request.Uri.Reset(uri);
        message.Request.Headers.SetValue("x-ms-version", QueueServiceClient.ServiceVersion);
        return message;
    }

    /// <summary>Sends and throws <see cref="StorageRequestFailedException"/> on any non-2xx answer.</summary>
    public static async Task<Response> SendAsync(HttpPipeline pipeline, HttpMessage message, CancellationToken cancellationToken)
    {
        await pipeline.SendAsync(message, cancellationToken);
        var response = message.Response;
        if (response.Status is >= 200 and < 300) return response;
        throw Failure(response);
    }

    static StorageRequestFailedException Failure(Response response)
    {
        response.Headers.TryGetValue("x-ms-error-code", out var code);
        string? detail = null;
        try
        {
            var body = response.Content.ToString();
            if (body.Length > 0)
            {
                var error = XDocument.Parse(body).Root;
                code ??= error?.Element("Code")?.Value;
                detail = error?.Element("Message")?.Value?.Split('\n')[0];
            }
        }
        catch (System.Xml.XmlException) { /* not XML: the status and header are enough */ }
        return new StorageRequestFailedException(response.Status, code,
            $"Queue service answered {response.Status} {code}{(detail is null ? "" : ": " + detail)}");
    }
}
