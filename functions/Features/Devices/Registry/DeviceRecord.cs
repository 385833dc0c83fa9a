using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Devices.Registry;

/// <summary>Values of <see cref="DeviceRecord.EnrollmentState"/>.</summary>
public static class EnrollmentStates
{
    /// <summary>Authenticate seen; no push token yet, so the device cannot be reached.</summary>
    public const string Authenticated = "authenticated";
    /// <summary>A TokenUpdate arrived: the device can be pushed and sent commands.</summary>
    public const string Enrolled = "enrolled";
    /// <summary>CheckOut arrived (the MDM profile was removed).</summary>
    public const string Unenrolled = "unenrolled";

    public static readonly IReadOnlyList<string> All = [Authenticated, Enrolled, Unenrolled];
}

/// <summary>
/// One device in the table of its bucket, <c>devices{bucket}</c> (<see cref="DeviceRecordTables"/>):
/// PK "device-{bucket}" (64 buckets, <c>device-00</c> … <c>device-3f</c>, <see cref="StableHash.Bucket"/>
/// of the id), RK = device id (UDID, or EnrollmentID for User Enrollment). Why buckets: Azurite (3.35)
/// walks the whole partition on every point read and write, and evaluates every query against every
/// row of the table, so one partition (then one table) made per-device reads and bucket queries O(n);
/// on Azure a point read costs the same. Listings go through the bucket tables in turn, in bucket then
/// id order. A device group's member rows use the
/// same bucket. <see cref="PushToken"/>, <see cref="PushMagic"/> and <see cref="UnlockToken"/> are
/// secrets: they never leave this feature's storage code and logs.
/// </summary>
public sealed class DeviceRecord
{
    public const string PartitionPrefix = "device-";
    public const int Buckets = 64;

    /// <summary>Every device row of a bucket table: PartitionKey in ["device-", "device.") ('.' follows '-').</summary>
    public static TableFilter AllRows { get; } =
        TableFilter.PartitionKey.Ge(PartitionPrefix).And(TableFilter.PartitionKey.Lt("device."));

    /// <summary>"device-" + the id's bucket as two hex digits. Never change it: stored rows depend on it.</summary>
    public static string PartitionKeyFor(string deviceId) => PartitionKeyOfBucket(BucketOf(deviceId));

    /// <summary>"device-{bucket:x2}": the one partition of a bucket (and of its table).</summary>
    public static string PartitionKeyOfBucket(int bucket) =>
        PartitionPrefix + bucket.ToString("x2", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The id's bucket, 0–63: its partition and its table <c>devices{bucket}</c>.</summary>
    public static int BucketOf(string deviceId) => StableHash.Bucket(deviceId, Buckets);

    /// <summary>The bucket a device partition key names: its last two hex digits.</summary>
    public static int BucketOfPartition(string partitionKey) =>
        BucketTables.BucketOfHexSuffix(partitionKey);

    public static string RowKeyFor(string deviceId) => deviceId;

    public required string Id { get; init; }
    public string? SerialNumber { get; set; }
    public string? ProductName { get; set; }
    public string? Model { get; set; }
    public string? ModelName { get; set; }
    public string? OSVersion { get; set; }
    public string? BuildVersion { get; set; }
    public string? DeviceName { get; set; }
    public string? Name { get; set; }
    public string Platform { get; set; } = "Unknown";
    public string? Topic { get; set; }
    public string EnrollmentState { get; set; } = EnrollmentStates.Authenticated;
    public bool IsUserEnrollment { get; set; }
    public DateTimeOffset? CreatedAt { get; set; }
    public DateTimeOffset? AuthenticatedAt { get; set; }
    public DateTimeOffset? EnrolledAt { get; set; }
    public DateTimeOffset? UnenrolledAt { get; set; }
    public DateTimeOffset? LastCheckinAt { get; set; }
    /// <summary>When the channel last opened a command session (an Idle report); see CommandExchange.</summary>
    public DateTimeOffset? SessionStartedAt { get; set; }
    public string? UserId { get; set; }
    public string? IdentityThumbprint { get; set; }
    public byte[]? PushToken { get; set; }
    public string? PushMagic { get; set; }
    public byte[]? UnlockToken { get; set; }
    public bool TokenUsable { get; set; }
    public string? TokenUnusableReason { get; set; }
    public DateTimeOffset? TokenUpdatedAt { get; set; }
    public ETag ETag { get; set; }

    public bool IsEnrolled => EnrollmentState == EnrollmentStates.Enrolled;

    public TableEntity ToEntity()
    {
        var entity = new TableEntity(PartitionKeyFor(Id), RowKeyFor(Id));
        entity["SerialNumber"] = SerialNumber;
        entity["ProductName"] = ProductName;
        entity["Model"] = Model;
        entity["ModelName"] = ModelName;
        entity["OSVersion"] = OSVersion;
        entity["BuildVersion"] = BuildVersion;
        entity["DeviceName"] = DeviceName;
        entity["Name"] = Name;
        entity["Platform"] = Platform;
        entity["Topic"] = Topic;
        entity["EnrollmentState"] = EnrollmentState;
        entity["IsUserEnrollment"] = IsUserEnrollment;
        entity["CreatedAt"] = CreatedAt;
        entity["AuthenticatedAt"] = AuthenticatedAt;
        entity["EnrolledAt"] = EnrolledAt;
        entity["UnenrolledAt"] = UnenrolledAt;
        entity["LastCheckinAt"] = LastCheckinAt;
        entity["SessionStartedAt"] = SessionStartedAt;
        entity["UserId"] = UserId;
        entity["IdentityThumbprint"] = IdentityThumbprint;
        entity["PushToken"] = PushToken;
        entity["PushMagic"] = PushMagic;
        entity["UnlockToken"] = UnlockToken;
        entity["TokenUsable"] = TokenUsable;
        entity["TokenUnusableReason"] = TokenUnusableReason;
        entity["TokenUpdatedAt"] = TokenUpdatedAt;
        return entity;
    }

    public static DeviceRecord FromEntity(TableEntity entity) => new()
    {
        Id = entity.RowKey,
        SerialNumber = entity.GetString("SerialNumber"),
        ProductName = entity.GetString("ProductName"),
        Model = entity.GetString("Model"),
        ModelName = entity.GetString("ModelName"),
        OSVersion = entity.GetString("OSVersion"),
        BuildVersion = entity.GetString("BuildVersion"),
        DeviceName = entity.GetString("DeviceName"),
        Name = entity.GetString("Name"),
        Platform = entity.GetString("Platform") ?? "Unknown",
        Topic = entity.GetString("Topic"),
        EnrollmentState = entity.GetString("EnrollmentState") ?? EnrollmentStates.Authenticated,
        IsUserEnrollment = entity.GetBoolean("IsUserEnrollment") ?? false,
        CreatedAt = entity.GetDateTimeOffset("CreatedAt"),
        AuthenticatedAt = entity.GetDateTimeOffset("AuthenticatedAt"),
        EnrolledAt = entity.GetDateTimeOffset("EnrolledAt"),
        UnenrolledAt = entity.GetDateTimeOffset("UnenrolledAt"),
        LastCheckinAt = entity.GetDateTimeOffset("LastCheckinAt"),
        SessionStartedAt = entity.GetDateTimeOffset("SessionStartedAt"),
        UserId = entity.GetString("UserId"),
        IdentityThumbprint = entity.GetString("IdentityThumbprint"),
        PushToken = entity.GetBinary("PushToken"),
        PushMagic = entity.GetString("PushMagic"),
        UnlockToken = entity.GetBinary("UnlockToken"),
        TokenUsable = entity.GetBoolean("TokenUsable") ?? false,
        TokenUnusableReason = entity.GetString("TokenUnusableReason"),
        TokenUpdatedAt = entity.GetDateTimeOffset("TokenUpdatedAt"),
        ETag = entity.ETag,
    };
}
