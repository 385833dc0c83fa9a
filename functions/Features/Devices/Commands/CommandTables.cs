using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Devices.Commands;

/// <summary>
/// The command rows in 64 tables, <c>commands0</c> … <c>commands63</c>: command bucket
/// (<see cref="CommandKeys"/>, 0 … 255, the PartitionKey in hex) mod 64, so each table holds four
/// bucket partitions. Why (Azurite 3.35, one LokiJS collection per table): every insert updates
/// the table's sorted indices by splicing arrays as long as the table, and every query is
/// evaluated against every row of it; one <c>commands</c> table of 100,000 rows made each queued
/// command and each queue look-up pay for all of them. On Azure nothing changes: a channel's
/// commands are still one partition range, a bulk enqueue still 100-row transactions.
/// </summary>
public sealed class CommandTables(TableServiceClient service)
    : BucketTables(service, NamePrefix, Count, TableOf)
{
    public const string NamePrefix = "commands";
    public const int Count = 64;

    /// <summary>The table (0 … 63) of a command partition: its bucket (hex) mod 64. Never change it: stored rows depend on it.</summary>
    public static int TableOf(string partitionKey) => BucketOfHexSuffix(partitionKey) % Count;

    /// <summary>"commands{n}" (without the storage prefix).</summary>
    public static string NameOf(int table) => NameOf(NamePrefix, table);

    /// <summary>The table holding a command partition (a channel's bucket).</summary>
    public ValueTask<TableClient> OfPartitionAsync(string partitionKey, CancellationToken cancellationToken) =>
        BucketAsync(BucketOf(partitionKey), cancellationToken);
}
