using System.Globalization;
using System.Text;
using Azure.Core;
using Azure.Core.Pipeline;

namespace ManagedDistribution.Platform.Storage;

/// <summary>
/// Shared Key authorization for the Queue service, applied per retry so each attempt is re-dated
/// and re-signed. String-to-sign per contracts/azure.md §3.1 (and
/// https://learn.microsoft.com/rest/api/storageservices/authorize-with-shared-key).
/// </summary>
sealed class QueueSharedKeyPolicy(string accountName, byte[] accountKey) : HttpPipelineSynchronousPolicy
{
    public override void OnSendingRequest(HttpMessage message)
    {
        var request = message.Request;
        request.Headers.SetValue("x-ms-date", DateTimeOffset.UtcNow.ToString("R", CultureInfo.InvariantCulture));
        var signature = StoragePipeline.Sign(accountKey, StringToSign(request));
        request.Headers.SetValue("Authorization", $"SharedKey {accountName}:{signature}");
    }

    string StringToSign(Request request)
    {
        string Header(string name) => request.Headers.TryGetValue(name, out var value) ? value : "";
        long length = 0;
        request.Content?.TryComputeLength(out length);

        var text = new StringBuilder()
            .Append(request.Method.Method).Append('\n')
            .Append(Header("Content-Encoding")).Append('\n')
            .Append(Header("Content-Language")).Append('\n')
            .Append(length > 0 ? length.ToString(CultureInfo.InvariantCulture) : "").Append('\n')
            .Append(Header("Content-MD5")).Append('\n')
            .Append(Header("Content-Type")).Append('\n')
            .Append('\n') // Date: empty because x-ms-date is sent
            .Append(Header("If-Modified-Since")).Append('\n')
            .Append(Header("If-Match")).Append('\n')
            .Append(Header("If-None-Match")).Append('\n')
            .Append(Header("If-Unmodified-Since")).Append('\n')
            .Append(Header("Range")).Append('\n');

        foreach (var header in request.Headers
                     .Where(h => h.Name.StartsWith("x-ms-", StringComparison.OrdinalIgnoreCase))
                     .Select(h => (Name: h.Name.ToLowerInvariant(), Value: h.Value.Trim()))
                     .OrderBy(h => h.Name, StringComparer.Ordinal))
            text.Append(header.Name).Append(':').Append(header.Value).Append('\n');

        var uri = request.Uri.ToUri();
        text.Append('/').Append(accountName).Append(uri.AbsolutePath);
        foreach (var (name, values) in QueryParameters(uri.Query).OrderBy(p => p.Key, StringComparer.Ordinal))
            text.Append('\n').Append(name).Append(':').Append(string.Join(',', values.Order(StringComparer.Ordinal)));
        return text.ToString();
    }

    static Dictionary<string, List<string>> QueryParameters(string query)
    {
        var result = new Dictionary<string, List<string>>();
        foreach (var pair in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=');
            var name = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]).ToLowerInvariant();
            var value = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..]);
            if (!result.TryGetValue(name, out var list)) result[name] = list = [];
            list.Add(value);
        }
        return result;
    }
}
