using ManagedDistribution.Features.Licenses;
using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Reconciliation;

/// <summary>
/// An order-independent digest of a set of targets (<c>kind|id</c>): count, XOR and sum of their
/// 64-bit FNV-1a hashes. Equal digests mean equal sets (a collision needs two different sets with
/// the same count, XOR and sum; not a concern for non-adversarial ids).
/// </summary>
internal readonly record struct TargetDigest(int Count, long Xor, long Sum)
{
    public TargetDigest With(string kind, string id)
    {
        var hash = Hash(kind, id);
        return new(Count + 1, Xor ^ hash, unchecked(Sum + hash));
    }

    public static TargetDigest Of(AppleItemAssignments atApple)
    {
        var digest = default(TargetDigest);
        foreach (var serial in atApple.Devices) digest = digest.With(TargetKinds.Device, serial);
        foreach (var user in atApple.Users) digest = digest.With(TargetKinds.User, user);
        return digest;
    }

    static long Hash(string kind, string id)
    {
        var hash = 14695981039346656037UL;
        foreach (var ch in kind) hash = (hash ^ ch) * 1099511628211UL;
        hash = (hash ^ '|') * 1099511628211UL;
        foreach (var ch in id) hash = (hash ^ ch) * 1099511628211UL;
        return unchecked((long)hash);
    }
}

/// <summary>
/// An item found equal to Apple in a full comparison: our committed targets (their digest) as of the
/// item's <see cref="TargetsChange"/> stamp. While the stamp stays the same our target rows have not
/// changed, so a later full comparison whose Apple side has the same digest needs not read them.
/// </summary>
internal sealed record VerifiedItem(string ContentId, string Stamp, TargetDigest Committed);

/// <summary>
/// Verified items (table <c>reconciliationstate</c>, partition <c>verified</c>, row = content id),
/// and the items' current <see cref="TargetsChange"/> stamps read from <c>licenses</c> in one query per location.
/// </summary>
internal sealed class VerifiedItems(TableServiceClient service)
{
    const string Partition = "verified";
    readonly TableOnFirstUse state = new(service, ReconciliationState.TableName);
    readonly TableOnFirstUse licenses = new(service, LicenseLedger.TableName);

    public async Task<Dictionary<string, VerifiedItem>> GetAsync(string uId, CancellationToken cancellationToken)
    {
        var table = await state.GetAsync(cancellationToken);
        var prefix = LicenseKeys.SafeKey($"vpp-{uId}-");
        var filter = TableFilter.PartitionKey.Eq(Partition) & TableFilter.RowKey.Ge(prefix) & TableFilter.RowKey.Lt(LicenseKeys.PrefixEnd(prefix));
        var items = new Dictionary<string, VerifiedItem>(StringComparer.Ordinal);
        await foreach (var row in table.QueryAsync(filter, cancellationToken: cancellationToken))
        {
            var contentId = row.GetString("ContentId") ?? row.RowKey;
            items[contentId] = new VerifiedItem(contentId, row.GetString("Stamp") ?? "",
                new TargetDigest(row.GetInt32("Count") ?? -1, row.GetInt64("Xor") ?? 0, row.GetInt64("Sum") ?? 0));
        }
        return items;
    }

    public async Task SaveAsync(IEnumerable<VerifiedItem> items, CancellationToken cancellationToken)
    {
        var table = await state.GetAsync(cancellationToken);
        foreach (var chunk in items.Chunk(100))
            await table.SubmitTransactionAsync([.. chunk.Select(v => new TableTransactionAction(TableTransactionActionType.UpsertReplace,
                new TableEntity(Partition, LicenseKeys.SafeKey(v.ContentId))
                {
                    ["ContentId"] = v.ContentId, ["Stamp"] = v.Stamp, ["Count"] = v.Committed.Count, ["Xor"] = v.Committed.Xor, ["Sum"] = v.Committed.Sum,
                }))], cancellationToken);
    }

    /// <summary>The target-row stamps of a location's items (content ids <c>vpp-{uId}-…</c>); items without one are absent.</summary>
    public async Task<Dictionary<string, TargetsChange>> StampsAsync(string uId, CancellationToken cancellationToken)
    {
        var table = await licenses.GetAsync(cancellationToken);
        var prefix = $"vpp-{uId}-";
        var filter = TableFilter.PartitionKey.Ge(prefix) & TableFilter.PartitionKey.Lt(LicenseKeys.PrefixEnd(prefix))
            & TableFilter.RowKey.Eq(LicenseKeys.TargetsChangedRow);
        var stamps = new Dictionary<string, TargetsChange>(StringComparer.Ordinal);
        await foreach (var row in table.QueryAsync(filter, ["PartitionKey", "Stamp", "ChangedAt"], cancellationToken: cancellationToken))
            stamps[row.PartitionKey] = TargetsChange.Read(row);
        return stamps;
    }
}
