namespace ManagedDistribution.AppleEmulator.AppsAndBooks;

/// <summary>A licensed asset of a location. <c>assignedCount</c> always equals its assignments.</summary>
public sealed class EmulatedAsset
{
    public required string AdamId { get; init; }
    public string PricingParam { get; init; } = "STDQ";

    /// <summary><c>App</c> or <c>Book</c>. Books are never device-assignable nor revocable.</summary>
    public string ProductType { get; init; } = "App";
    public int TotalCount { get; set; }
    public int RetiredCount { get; set; }
    public bool DeviceAssignable { get; init; } = true;
    public bool Revocable { get; init; } = true;
    public IReadOnlyList<string> SupportedPlatforms { get; init; } = ["iOS", "macOS"];
    public int AssignedCount { get; internal set; }
    public int AvailableCount => Math.Max(0, TotalCount - AssignedCount);

    public AssetId Id => new(AdamId, PricingParam);

    public object ToWire() => new
    {
        adamId = AdamId, pricingParam = PricingParam, productType = ProductType, totalCount = TotalCount,
        assignedCount = AssignedCount, availableCount = AvailableCount, retiredCount = RetiredCount,
        deviceAssignable = DeviceAssignable, revocable = Revocable, supportedPlatforms = SupportedPlatforms,
    };
}

public readonly record struct AssetId(string AdamId, string PricingParam)
{
    public WireAsset ToWire() => new(AdamId, PricingParam);
}

/// <summary>An asset held by exactly one user or one device.</summary>
public readonly record struct AssignmentKey(AssetId Asset, string? ClientUserId, string? SerialNumber);

public sealed class EmulatedAssignment(AssignmentKey key, long version)
{
    public AssignmentKey Key { get; } = key;
    public long Version { get; set; } = version;
}

public sealed class EmulatedUser
{
    public required string ClientUserId { get; init; }
    public string? Email { get; set; }
    public string? ManagedAppleId { get; set; }
    public string InviteCode { get; init; } = Guid.NewGuid().ToString("N");
    public string Status { get; set; } = "Registered";
    public string? IdHash { get; set; }
    public long Version { get; set; }

    public bool IsActive => Status is "Registered" or "Associated";

    public WireUser ToWire() => new(ClientUserId, Email, IdHash, InviteCode, Status);
}

/// <summary>An asynchronous management call: PENDING until processed.</summary>
public sealed class EmulatedEvent
{
    public required string EventId { get; init; }
    public required string EventType { get; init; }
    public string Status { get; set; } = "PENDING";
    public int NumRequested { get; init; }
    public int NumCompleted { get; set; }
    public List<WireError> Failures { get; } = [];
    internal Func<IReadOnlyList<OutgoingNotification>>? Work { get; set; }
}
