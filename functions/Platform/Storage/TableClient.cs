using System.Text;
using System.Text.Json;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace ManagedDistribution.Platform.Storage;

/// <summary>
/// One table over the Table REST API. Failures throw <see cref="StorageRequestFailedException"/>
/// (status + service error code) except the outcomes callers expect: a missing entity is
/// <c>null</c> from <see cref="GetEntityAsync"/> and <c>false</c> from <see cref="DeleteEntityAsync"/>.
/// Writes return the new <see cref="ETag"/>; updates and deletes take an <c>If-Match</c> ETag.
/// See https://learn.microsoft.com/rest/api/storageservices/operations-on-entities .
/// </summary>
public sealed partial class TableClient
{
    static readonly RequestMethod Merge = new("MERGE");

    readonly HttpPipeline pipeline;
    readonly string serviceBase;

    internal TableClient(HttpPipeline pipeline, Uri serviceEndpoint, string name)
    {
        this.pipeline = pipeline;
        serviceBase = serviceEndpoint.AbsoluteUri.TrimEnd('/');
        Name = name;
        Uri = new Uri($"{serviceBase}/{name}");
    }

    /// <summary>The full table name, prefix included.</summary>
    public string Name { get; }

    public Uri Uri { get; }

    /// <summary>Creates the table; false if it already existed.</summary>
    public async Task<bool> CreateIfNotExistsAsync(CancellationToken cancellationToken = default)
    {
        var body = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new Dictionary<string, string> { ["TableName"] = Name }));
        using var response = await SendAsync(RequestMethod.Post, "Tables", null, body, r => r.Headers.SetValue("Prefer", "return-no-content"), cancellationToken);
        if (response.Status is 201 or 204) return true;
        // Also what a retried create sees when its first attempt succeeded.
        if (response.Status == 409 && ErrorCode(response) == "TableAlreadyExists") return false;
        throw TableErrors.FromResponse(response, "create table");
    }

    /// <summary>Deletes the table; false if it did not exist.</summary>
    public async Task<bool> DeleteAsync(CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(RequestMethod.Delete, $"Tables('{EscapeKey(Name)}')", null, null, null, cancellationToken);
        if (response.Status == 204) return true;
        if (response.Status == 404) return false;
        throw TableErrors.FromResponse(response, "delete table");
    }

    /// <summary>The entity, or null when the table has no such entity (a missing table still throws).</summary>
    public async Task<TableEntity?> GetEntityAsync(string partitionKey, string rowKey, IEnumerable<string>? select = null,
        CancellationToken cancellationToken = default)
    {
        var query = select is null ? null : "$select=" + Uri.EscapeDataString(string.Join(',', select));
        using var response = await SendAsync(RequestMethod.Get, Name + KeyPredicate(partitionKey, rowKey), query, null, null, cancellationToken);
        if (response.Status == 404 && ErrorCode(response) is null or "ResourceNotFound") return null;
        if (response.Status != 200) throw TableErrors.FromResponse(response, "get entity");
        using var json = JsonDocument.Parse(response.Content.ToMemory());
        var entity = TableEntityJson.Read(json.RootElement);
        if (ResponseETag(response) is { IsEmpty: false } etag) entity.ETag = etag;
        return entity;
    }

    /// <summary>Inserts a new entity (409 <c>EntityAlreadyExists</c> if the keys are taken) and returns its ETag.</summary>
    public async Task<ETag> AddEntityAsync(TableEntity entity, CancellationToken cancellationToken = default)
    {
        var (response, retries) = await SendCoreAsync(RequestMethod.Post, Name, null, TableEntityJson.Serialize(entity),
            r => r.Headers.SetValue("Prefer", "return-no-content"), cancellationToken);
        using (response)
        {
            if (response.Status is 201 or 204) return ResponseETag(response);
            if (response.Status == 409 && retries > 0 && await ReadOwnRetriedInsertAsync(entity, cancellationToken) is { } etag) return etag;
            throw TableErrors.FromResponse(response, "insert entity");
        }
    }

    /// <summary>Insert-or-replace / insert-or-merge, unconditionally. Only for naturally idempotent projections.</summary>
    public Task<ETag> UpsertEntityAsync(TableEntity entity, TableUpdateMode mode = TableUpdateMode.Replace,
        CancellationToken cancellationToken = default) =>
        WriteAsync(entity, mode, ifMatch: null, "upsert entity", cancellationToken);

    /// <summary>
    /// Replaces or merges an existing entity if its ETag still matches: 412 (<c>IsPreconditionFailed</c>)
    /// when someone else wrote first, 404 when it is gone. <see cref="ETag.All"/> skips the version check.
    /// </summary>
    public Task<ETag> UpdateEntityAsync(TableEntity entity, ETag ifMatch, TableUpdateMode mode = TableUpdateMode.Replace,
        CancellationToken cancellationToken = default) =>
        ifMatch.IsEmpty
            ? throw new ArgumentException("An update needs an ETag; pass ETag.All to overwrite whatever version exists.", nameof(ifMatch))
            : WriteAsync(entity, mode, ifMatch, "update entity", cancellationToken);

    /// <summary>Deletes the entity if its ETag matches (<see cref="ETag.All"/>: any version); false when it did not exist.</summary>
    public async Task<bool> DeleteEntityAsync(string partitionKey, string rowKey, ETag ifMatch, CancellationToken cancellationToken = default)
    {
        var match = ifMatch.IsEmpty ? ETag.All : ifMatch;
        using var response = await SendAsync(RequestMethod.Delete, Name + KeyPredicate(partitionKey, rowKey), null, null,
            r => r.Headers.SetValue("If-Match", match.ToString()), cancellationToken);
        if (response.Status == 204) return true;
        if (response.Status == 404 && ErrorCode(response) is null or "ResourceNotFound") return false;
        throw TableErrors.FromResponse(response, "delete entity");
    }

    async Task<ETag> WriteAsync(TableEntity entity, TableUpdateMode mode, ETag? ifMatch, string operation, CancellationToken cancellationToken)
    {
        var method = mode == TableUpdateMode.Merge ? Merge : RequestMethod.Put;
        using var response = await SendAsync(method, Name + KeyPredicate(entity.PartitionKey, entity.RowKey), null,
            TableEntityJson.Serialize(entity), r => { if (ifMatch is { } m) r.Headers.SetValue("If-Match", m.ToString()); }, cancellationToken);
        if (response.Status == 204) return ResponseETag(response);
        throw TableErrors.FromResponse(response, operation);
    }

    /// <summary>
    /// A retried insert whose first attempt landed sees 409. If the stored entity holds exactly what
    /// we sent, the insert is ours (contracts/azure.md §2.4); otherwise it is a genuine conflict.
    /// </summary>
    async Task<ETag?> ReadOwnRetriedInsertAsync(TableEntity sent, CancellationToken cancellationToken)
    {
        var stored = await GetEntityAsync(sent.PartitionKey, sent.RowKey, cancellationToken: cancellationToken);
        return stored is not null && TableEntityComparer.SameProperties(sent, stored) ? stored.ETag : null;
    }

    /// <summary><c>(PartitionKey='…',RowKey='…')</c>: quotes doubled, then percent-encoded (<c>'</c> → <c>%27%27</c>).</summary>
    internal static string KeyPredicate(string partitionKey, string rowKey) =>
        $"(PartitionKey='{EscapeKey(partitionKey)}',RowKey='{EscapeKey(rowKey)}')";

    static string EscapeKey(string key) => Uri.EscapeDataString(key.Replace("'", "''", StringComparison.Ordinal));

    static ETag ResponseETag(Response response) =>
        response.Headers.TryGetValue("ETag", out var etag) ? new ETag(etag!) : default;

    static string? ErrorCode(Response response) =>
        response.Headers.TryGetValue("x-ms-error-code", out var code) ? code : TableErrors.ReadBody(response.Content.ToMemory()).Code;

    async Task<Response> SendAsync(RequestMethod method, string resource, string? query, ReadOnlyMemory<byte>? body, Action<Request>? configure,
        CancellationToken cancellationToken, bool bufferResponse = true) =>
        (await SendCoreAsync(method, resource, query, body, configure, cancellationToken, bufferResponse)).Response;

    /// <summary>
    /// One request through the pipeline (retries included). <paramref name="bufferResponse"/> false
    /// leaves the body as the network stream (queries read it into a pooled buffer, see QueryPageAsync).
    /// </summary>
    async Task<(Response Response, int Retries)> SendCoreAsync(RequestMethod method, string resource, string? query, ReadOnlyMemory<byte>? body,
        Action<Request>? configure, CancellationToken cancellationToken, bool bufferResponse = true)
    {
        // Not disposed here: disposing the message would dispose the (buffered) response the caller reads.
        var message = pipeline.CreateMessage();
        message.BufferResponse = bufferResponse;
        var request = message.Request;
        request.Method = method;
        request.Uri.Reset(new Uri($"{serviceBase}/{resource}{(query is null ? "" : "?" + query)}"));
        if (body is { } content)
        {
            request.Content = RequestContent.Create(content);
            request.Headers.SetValue("Content-Type", "application/json");
        }
        configure?.Invoke(request);
        try
        {
            await pipeline.SendAsync(message, cancellationToken);
        }
        catch (RequestFailedException ex)
        {
            // Transport failures after all retries (connection refused, timeouts) surface as our one type.
            throw new StorageRequestFailedException(ex.Status, ex.ErrorCode, $"Table request to {request.Uri.Host} failed: {ex.Message}", ex);
        }
        return (message.Response, message.ProcessingContext.RetryNumber);
    }
}
