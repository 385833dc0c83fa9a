using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Core;

namespace ManagedDistribution.Platform.Storage;

public sealed partial class TableClient
{
    /// <summary>The service's page ceiling; larger <c>$top</c> values are clamped (Azurite) or rejected (Azure).</summary>
    public const int MaxPageSize = 1000;

    /// <summary>
    /// All entities matching <paramref name="filter"/> (null: the whole table), following continuation
    /// headers across as many pages as there are. <paramref name="select"/> limits the returned
    /// properties (list PartitionKey/RowKey if you need them); <paramref name="maxPerPage"/> is
    /// <c>$top</c> (≤ 1000); <paramref name="maxResults"/> stops after that many entities.
    /// </summary>
    public async IAsyncEnumerable<TableEntity> QueryAsync(TableFilter? filter = null, IReadOnlyList<string>? select = null,
        int? maxPerPage = null, int? maxResults = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (maxResults is <= 0) yield break;
        var remaining = maxResults ?? int.MaxValue;
        TableContinuationToken? continuation = null;
        do
        {
            var top = Math.Min(maxPerPage ?? MaxPageSize, remaining);
            var page = await QueryPageAsync(filter, select, top, continuation, cancellationToken);
            foreach (var entity in page.Entities)
            {
                yield return entity;
                if (--remaining == 0) yield break;
            }
            continuation = page.Continuation;
        }
        while (continuation is not null);
    }

    /// <summary>
    /// One page of a query, for callers that hand continuation tokens to their own clients. A page
    /// can be short or empty and still continue; stop only when <see cref="TablePage.Continuation"/> is null.
    /// </summary>
    public async Task<TablePage> QueryPageAsync(TableFilter? filter = null, IReadOnlyList<string>? select = null,
        int? maxPerPage = null, TableContinuationToken? continuation = null, CancellationToken cancellationToken = default)
    {
        if (maxPerPage is < 1 or > MaxPageSize)
            throw new ArgumentOutOfRangeException(nameof(maxPerPage), $"A page holds 1 to {MaxPageSize} entities.");
        var query = QueryString(filter, select, maxPerPage, continuation);
        for (var attempt = 1; ; attempt++)
        {
            // Not buffered: a page of 1,000 entities is hundreds of KB, and Azure.Core buffers a body in a
            // MemoryStream that doubles its way up to it (each step a new array, on the large object heap
            // beyond 85 KB). Read into a pooled buffer of the Content-Length instead (the document reads
            // it in place, so it is disposed first).
            using var response = await SendAsync(RequestMethod.Get, Name + "()", query, null, null, cancellationToken, bufferResponse: false);
            if (response.Status != 200)
            {
                await BufferAsync(response, cancellationToken);
                throw TableErrors.FromResponse(response, "query entities");
            }
            PooledBufferWriter body;
            try
            {
                body = await PooledBufferWriter.ReadAllAsync(response.ContentStream ?? Stream.Null, response.Headers.ContentLength, cancellationToken);
            }
            catch (IOException) when (attempt < BodyReadAttempts && !cancellationToken.IsCancellationRequested)
            {
                continue; // the pipeline retries a body it buffers itself; this one is read here, so retried here
            }
            using (body)
            using (var json = JsonDocument.Parse(body.WrittenMemory))
            {
                var entities = new List<TableEntity>();
                if (json.RootElement.TryGetProperty("value", out var values))
                    foreach (var item in values.EnumerateArray()) entities.Add(TableEntityJson.Read(item));
                return new TablePage(entities, ReadContinuation(response));
            }
        }
    }

    const int BodyReadAttempts = 3;

    /// <summary>Reads an unbuffered body into memory (an error's body, for its code and message).</summary>
    static async Task BufferAsync(Response response, CancellationToken cancellationToken)
    {
        if (response.ContentStream is null or MemoryStream) return;
        var buffered = new MemoryStream();
        await using (var network = response.ContentStream) await network.CopyToAsync(buffered, cancellationToken);
        buffered.Position = 0;
        response.ContentStream = buffered;
    }

    /// <summary>The only place a filter meets the URL: encoded once, as a whole.</summary>
    static string? QueryString(TableFilter? filter, IReadOnlyList<string>? select, int? top, TableContinuationToken? continuation)
    {
        var query = new StringBuilder();
        void Add(string name, string value) =>
            query.Append(query.Length == 0 ? "" : "&").Append(name).Append('=').Append(Uri.EscapeDataString(value));

        if (filter is not null) Add("$filter", filter.ToString());
        if (select is { Count: > 0 }) Add("$select", string.Join(',', select));
        if (top is { } n) Add("$top", n.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (continuation is not null)
        {
            Add("NextPartitionKey", continuation.NextPartitionKey);
            if (continuation.NextRowKey is { } rowKey) Add("NextRowKey", rowKey);
        }
        return query.Length == 0 ? null : query.ToString();
    }

    static TableContinuationToken? ReadContinuation(Response response) =>
        response.Headers.TryGetValue("x-ms-continuation-NextPartitionKey", out var partitionKey) && !string.IsNullOrEmpty(partitionKey)
            ? new TableContinuationToken(partitionKey,
                response.Headers.TryGetValue("x-ms-continuation-NextRowKey", out var rowKey) && !string.IsNullOrEmpty(rowKey) ? rowKey : null)
            : null;
}
