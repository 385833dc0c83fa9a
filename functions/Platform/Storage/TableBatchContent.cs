namespace ManagedDistribution.Platform.Storage;

/// <summary>
/// Builds the <c>multipart/mixed</c> body of an entity group transaction (one changeset, CRLF line
/// ends, absolute inner URLs) and enforces the service's rules before anything is sent: 1–100
/// operations, one PartitionKey, each RowKey once, at most 4 MiB (Azurite does not check all of
/// these; Azure does). Pure: no I/O.
/// See https://learn.microsoft.com/rest/api/storageservices/performing-entity-group-transactions .
/// </summary>
static class TableBatchContent
{
    public const int MaxOperations = 100;
    public const int MaxBytes = 4 * 1024 * 1024;

    /// <summary>The body, in a pooled buffer the caller disposes once the request is answered.</summary>
    public static PooledBufferWriter Build(string tableUri, IReadOnlyList<TableTransactionAction> actions, string batchBoundary, string changesetBoundary)
    {
        Validate(actions);
        var body = new PooledBufferWriter(16 * 1024);
        try
        {
            body.Write($"--{batchBoundary}\r\nContent-Type: multipart/mixed; boundary={changesetBoundary}\r\n\r\n");
            foreach (var action in actions)
            {
                body.Write($"--{changesetBoundary}\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n");
                AppendRequest(body, tableUri, action);
            }
            body.Write($"--{changesetBoundary}--\r\n--{batchBoundary}--\r\n");
            if (body.WrittenCount > MaxBytes)
                throw new ArgumentException($"The transaction body is {body.WrittenCount} bytes; the service allows {MaxBytes}.", nameof(actions));
            return body;
        }
        catch
        {
            body.Dispose();
            throw;
        }
    }

    static void AppendRequest(PooledBufferWriter body, string tableUri, TableTransactionAction action)
    {
        var entity = action.Entity;
        var keyed = tableUri + TableClient.KeyPredicate(entity.PartitionKey, entity.RowKey);
        var (method, uri, ifMatch) = action.ActionType switch
        {
            TableTransactionActionType.Add => ("POST", tableUri, (ETag?)null),
            TableTransactionActionType.UpdateMerge => ("MERGE", keyed, OrAll(action.IfMatch)),
            TableTransactionActionType.UpdateReplace => ("PUT", keyed, OrAll(action.IfMatch)),
            TableTransactionActionType.Delete => ("DELETE", keyed, OrAll(action.IfMatch)),
            TableTransactionActionType.UpsertMerge => ("MERGE", keyed, null),
            TableTransactionActionType.UpsertReplace => ("PUT", keyed, null),
            _ => throw new ArgumentOutOfRangeException(nameof(action), action.ActionType, "Unknown transaction action."),
        };
        body.Write($"{method} {uri} HTTP/1.1\r\nAccept: {TableHeadersPolicy.Accept}\r\nDataServiceVersion: 3.0;\r\n");
        if (ifMatch is { } etag) body.Write($"If-Match: {etag}\r\n");
        if (action.ActionType == TableTransactionActionType.Add) body.Write("Prefer: return-no-content\r\n");
        if (action.ActionType == TableTransactionActionType.Delete)
        {
            body.Write("\r\n");
            return;
        }
        body.Write("Content-Type: application/json\r\n\r\n");
        TableEntityJson.Serialize(entity, body);
        body.Write("\r\n");
    }

    static ETag OrAll(ETag etag) => etag.IsEmpty ? ETag.All : etag;

    static void Validate(IReadOnlyList<TableTransactionAction> actions)
    {
        if (actions.Count is 0 or > MaxOperations)
            throw new ArgumentException($"A transaction holds 1 to {MaxOperations} operations, not {actions.Count}.", nameof(actions));
        var partitionKey = actions[0].Entity.PartitionKey;
        var rowKeys = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < actions.Count; i++)
        {
            var entity = actions[i].Entity;
            if (!string.Equals(entity.PartitionKey, partitionKey, StringComparison.Ordinal))
                throw new ArgumentException($"Operation {i} has PartitionKey '{entity.PartitionKey}'; a transaction stays in one partition ('{partitionKey}').", nameof(actions));
            if (!rowKeys.Add(entity.RowKey))
                throw new ArgumentException($"Operation {i} repeats RowKey '{entity.RowKey}'; a transaction touches each entity once.", nameof(actions));
        }
    }
}
