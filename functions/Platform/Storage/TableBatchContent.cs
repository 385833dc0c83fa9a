using System.Text;

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

    public static byte[] Build(string tableUri, IReadOnlyList<TableTransactionAction> actions, string batchBoundary, string changesetBoundary)
    {
        Validate(actions);
        var body = new StringBuilder();
        body.Append($"--{batchBoundary}\r\nContent-Type: multipart/mixed; boundary={changesetBoundary}\r\n\r\n");
        foreach (var action in actions)
        {
            body.Append($"--{changesetBoundary}\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n");
            AppendRequest(body, tableUri, action);
        }
        body.Append($"--{changesetBoundary}--\r\n--{batchBoundary}--\r\n");
        var bytes = Encoding.UTF8.GetBytes(body.ToString());
        if (bytes.Length > MaxBytes)
            throw new ArgumentException($"The transaction body is {bytes.Length} bytes; the service allows {MaxBytes}.", nameof(actions));
        return bytes;
    }

    static void AppendRequest(StringBuilder body, string tableUri, TableTransactionAction action)
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
        body.Append($"{method} {uri} HTTP/1.1\r\nAccept: {TableHeadersPolicy.Accept}\r\nDataServiceVersion: 3.0;\r\n");
        if (ifMatch is { } etag) body.Append($"If-Match: {etag}\r\n");
        if (action.ActionType == TableTransactionActionType.Add) body.Append("Prefer: return-no-content\r\n");
        if (action.ActionType == TableTransactionActionType.Delete)
        {
            body.Append("\r\n");
            return;
        }
        body.Append("Content-Type: application/json\r\n\r\n");
        body.Append(Encoding.UTF8.GetString(TableEntityJson.Serialize(entity))).Append("\r\n");
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
