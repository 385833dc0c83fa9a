using System.Text.RegularExpressions;
using Azure.Core;

namespace ManagedDistribution.Platform.Storage;

public sealed partial class TableClient
{
    /// <summary>
    /// Runs up to 100 operations on one partition atomically (entity group transaction). The rules
    /// (1–100 operations, one PartitionKey, unique RowKeys, ≤ 4 MiB) are checked before sending:
    /// <see cref="ArgumentException"/>, no request made. If the service rejects an operation,
    /// nothing is written and <see cref="TableTransactionFailedException"/> names its index.
    /// Returns each operation's new ETag in order (empty for deletes).
    /// A retried batch whose first attempt landed is not recognised: it fails like a conflict.
    /// </summary>
    public async Task<IReadOnlyList<ETag>> SubmitTransactionAsync(IReadOnlyList<TableTransactionAction> actions,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actions);
        var batchBoundary = "batch_" + Guid.NewGuid().ToString("N");
        using var body = TableBatchContent.Build(Uri.AbsoluteUri, actions, batchBoundary, "changeset_" + Guid.NewGuid().ToString("N"));
        using var response = await SendAsync(RequestMethod.Post, "$batch", null, body.WrittenMemory,
            r => r.Headers.SetValue("Content-Type", $"multipart/mixed; boundary={batchBoundary}"), cancellationToken);
        if (response.Status != 202) throw TableErrors.FromResponse(response, "transaction");

        var contentType = response.Headers.ContentType ?? "";
        var parts = TableBatchResponse.Parse(contentType, response.Content.ToMemory().Span);
        if (parts.FirstOrDefault(p => p.Status >= 400) is { } failed) throw TransactionFailed(failed, actions.Count);
        if (parts.Count != actions.Count)
            throw new StorageRequestFailedException(response.Status, null,
                $"Table transaction answered {parts.Count} operation results for {actions.Count} operations.");
        return [.. parts.Select(p => p.Headers.TryGetValue("ETag", out var etag) ? new ETag(etag) : default)];
    }

    static TableTransactionFailedException TransactionFailed(TableBatchPart part, int operationCount)
    {
        var (bodyCode, message) = TableErrors.ReadBody(System.Text.Encoding.UTF8.GetBytes(part.Body));
        var code = part.Headers.TryGetValue("x-ms-error-code", out var header) ? header : bodyCode;
        // The service prefixes the message with the failing operation's 0-based index: "57:The specified entity already exists."
        var match = message is null ? null : FailedIndexPrefix().Match(message);
        int? index = match is { Success: true } ? int.Parse(match.Groups[1].Value) : operationCount == 1 ? 0 : null;
        var text = match is { Success: true } ? message![match.Length..] : message;
        var description = TableErrors.Describe($"transaction (operation {index?.ToString() ?? "?"} of {operationCount})", part.Status, code, text);
        return new TableTransactionFailedException(part.Status, code, index, description);
    }

    [GeneratedRegex(@"^(\d+):")]
    private static partial Regex FailedIndexPrefix();
}
