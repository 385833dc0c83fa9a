using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Directory;

/// <summary>A user as the API shows it.</summary>
public sealed record UserDto(
    string Id,
    string ShortName,
    string FullName,
    string? Email,
    string? ManagedAppleId,
    string? PreferredLanguage,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    UserManagedDistribution? ManagedDistribution = null);

/// <summary>
/// The <c>users{bucket}</c> tables' row: PK "user-{bucket}" (64 buckets, <c>user-00</c> … <c>user-3f</c>, from a
/// stable hash of the id), RK = user id. One "user" partition would cap bulk writes at one
/// partition's rate (Azure's target is 2,000 entities/s per partition, and Azurite's cost per
/// operation grows with the partition's size, so a 100,000-user import in one partition takes
/// minutes); 64 partitions keep each small and let imports write in parallel. Each bucket's partition
/// is in its own table, <c>users{bucket}</c> (<see cref="UserTables"/>). Listings run in key order
/// (bucket, then id), walking the bucket tables in order. Lowercase copies of the searchable fields
/// (ShortNameLower, FullNameLower, EmailLower) keep the search scan free of per-row folding and
/// leave room for server-side prefix queries. Later features add their own properties (managed
/// distribution state): the directory rewrites a row from the stored copy, so it never erases them.
/// </summary>
public static class UserEntity
{
    public const string PartitionPrefix = "user-";
    public const int Buckets = 64;

    /// <summary>Every user row: PartitionKey in ["user-", "user.") ('.' follows '-').</summary>
    public static TableFilter AllRows { get; } =
        TableFilter.PartitionKey.Ge(PartitionPrefix).And(TableFilter.PartitionKey.Lt("user."));

    /// <summary>The properties a listing needs (everything the API shows plus the search copies).</summary>
    public static readonly IReadOnlyList<string> ListColumns =
    [
        "RowKey", "ShortName", "FullName", "Email", "ManagedAppleId", "PreferredLanguage", "CreatedAt", "UpdatedAt",
        "ShortNameLower", "FullNameLower", "EmailLower",
    ];

    /// <summary>"user-" + the id's bucket: FNV-1a (32-bit) of the UTF-8 id, modulo 64, as two hex digits. Never change it: stored rows depend on it.</summary>
    public static string PartitionKeyFor(string userId) => PartitionKeyOfBucket(BucketOf(userId));

    /// <summary>"user-{bucket:x2}": the one partition of a bucket (and of its table).</summary>
    public static string PartitionKeyOfBucket(int bucket) =>
        PartitionPrefix + bucket.ToString("x2", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The bucket a user partition key names: its last two hex digits.</summary>
    public static int BucketOfPartition(string partitionKey) =>
        BucketTables.BucketOfHexSuffix(partitionKey);

    /// <summary>
    /// The first bucket whose partition sorts at or after <paramref name="partitionKey"/> (any string,
    /// e.g. from a page token): the first table that can hold rows after that key; <see cref="Buckets"/> when none can.
    /// </summary>
    public static int FirstBucketFrom(string partitionKey)
    {
        var bucket = 0;
        while (bucket < Buckets && string.CompareOrdinal(PartitionKeyOfBucket(bucket), partitionKey) < 0) bucket++;
        return bucket;
    }

    /// <summary>The id's bucket, 0–63 (the user's table and partition; a user group's member partitions share it).</summary>
    public static int BucketOf(string userId) => StableHash.Bucket(userId, Buckets);

    public static string RowKeyFor(string userId) => userId;

    /// <summary>
    /// The row to write for <paramref name="user"/>: a copy of <paramref name="existing"/> (so
    /// properties other features keep on the row survive a Replace) with the directory's fields
    /// set, cleared ones removed, CreatedAt kept and UpdatedAt = <paramref name="now"/>.
    /// </summary>
    public static TableEntity Apply(TableEntity? existing, UserFields user, DateTimeOffset now)
    {
        var entity = new TableEntity(PartitionKeyFor(user.Id), RowKeyFor(user.Id));
        if (existing is not null)
            foreach (var (name, value) in existing) entity[name] = value;
        entity["ShortName"] = user.ShortName;
        entity["FullName"] = user.FullName;
        entity["ShortNameLower"] = user.ShortName.ToLowerInvariant();
        entity["FullNameLower"] = user.FullName.ToLowerInvariant();
        entity["Email"] = user.Email;
        entity["EmailLower"] = user.Email?.ToLowerInvariant();
        entity["ManagedAppleId"] = user.ManagedAppleId;
        entity["PreferredLanguage"] = user.PreferredLanguage;
        entity["CreatedAt"] = existing?.GetDateTimeOffset("CreatedAt") ?? now;
        entity["UpdatedAt"] = now;
        return entity;
    }

    /// <summary>Whether the stored row already holds exactly these fields (an import or PUT that changes nothing).</summary>
    public static bool HasSameFields(TableEntity existing, UserFields user) => Fields(existing) == user;

    public static UserFields Fields(TableEntity entity) => new(
        entity.RowKey,
        entity.GetString("ShortName") ?? "",
        entity.GetString("FullName") ?? "",
        entity.GetString("Email"),
        entity.GetString("ManagedAppleId"),
        entity.GetString("PreferredLanguage"));

    public static UserDto ToDto(TableEntity entity)
    {
        var fields = Fields(entity);
        return new UserDto(fields.Id, fields.ShortName, fields.FullName, fields.Email, fields.ManagedAppleId, fields.PreferredLanguage,
            entity.GetDateTimeOffset("CreatedAt") ?? default, entity.GetDateTimeOffset("UpdatedAt") ?? default);
    }

    public static UserSummary ToSummary(TableEntity entity)
    {
        var f = Fields(entity);
        return new UserSummary(f.Id, f.ShortName, f.FullName, f.Email, f.ManagedAppleId, f.PreferredLanguage);
    }

    /// <summary>Whether <paramref name="search"/> (already lowercase) is in the short name, full name or email.</summary>
    public static bool Matches(TableEntity entity, string search) =>
        (entity.GetString("ShortNameLower")?.Contains(search, StringComparison.Ordinal) ?? false)
        || (entity.GetString("FullNameLower")?.Contains(search, StringComparison.Ordinal) ?? false)
        || (entity.GetString("EmailLower")?.Contains(search, StringComparison.Ordinal) ?? false);
}
