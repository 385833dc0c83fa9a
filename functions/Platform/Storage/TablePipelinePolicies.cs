using Azure.Core;
using Azure.Core.Pipeline;

namespace ManagedDistribution.Platform.Storage;

/// <summary>Headers every Table request carries: pinned version, OData 3.0, JSON with ETags.</summary>
sealed class TableHeadersPolicy : HttpPipelineSynchronousPolicy
{
    public const string Accept = "application/json;odata=minimalmetadata";

    /// <summary>The pinned <c>x-ms-version</c>: the newest the Azure.Data.Tables SDK speaks.</summary>
    public const string ServiceVersion = "2020-12-06";

    public override void OnSendingRequest(HttpMessage message)
    {
        var headers = message.Request.Headers;
        headers.SetValue("x-ms-version", ServiceVersion);
        headers.SetValue("DataServiceVersion", "3.0;NetFx");
        headers.SetValue("MaxDataServiceVersion", "3.0;NetFx");
        if (!headers.Contains("Accept")) headers.SetValue("Accept", Accept);
    }
}

/// <summary>
/// Dates and signs each attempt (per-retry, so a retry is re-dated and re-signed) with
/// SharedKeyLite: <c>StringToSign = x-ms-date + "\n" + "/" + account + encoded path [+ "?comp=" + v]</c>.
/// Only <c>x-ms-date</c> is sent, never <c>Date</c>. A path-style (Azurite) endpoint already has the
/// account in its path, so it appears twice in the resource, as the service expects.
/// See contracts/azure.md §2.2 and https://learn.microsoft.com/rest/api/storageservices/authorize-with-shared-key .
/// </summary>
sealed class TableSharedKeyLitePolicy(string accountName, byte[] accountKey, TimeProvider time) : HttpPipelineSynchronousPolicy
{
    public override void OnSendingRequest(HttpMessage message)
    {
        var date = time.GetUtcNow().ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        message.Request.Headers.SetValue("x-ms-date", date);
        var signature = StoragePipeline.Sign(accountKey, date + "\n" + CanonicalizedResource(message.Request.Uri.ToUri()));
        message.Request.Headers.SetValue("Authorization", $"SharedKeyLite {accountName}:{signature}");
    }

    internal string CanonicalizedResource(Uri uri)
    {
        var resource = "/" + accountName + uri.AbsolutePath;
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
            if (pair.StartsWith("comp=", StringComparison.OrdinalIgnoreCase))
                return resource + "?comp=" + Uri.UnescapeDataString(pair[5..]);
        return resource;
    }
}

/// <summary>Sets <c>x-ms-date</c> on each attempt for bearer-token requests (the service wants a date).</summary>
sealed class TableDatePolicy(TimeProvider time) : HttpPipelineSynchronousPolicy
{
    public override void OnSendingRequest(HttpMessage message) =>
        message.Request.Headers.SetValue("x-ms-date", time.GetUtcNow().ToString("R", System.Globalization.CultureInfo.InvariantCulture));
}
