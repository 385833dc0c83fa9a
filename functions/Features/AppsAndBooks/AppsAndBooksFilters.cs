namespace ManagedDistribution.Features.AppsAndBooks;

/// <summary>Get Assets filters; every one optional, counts inclusive.
/// See https://developer.apple.com/documentation/devicemanagement/get-assets-4ski1</summary>
public sealed record AssetFilter
{
    public string? AdamId { get; init; }
    public string? PricingParam { get; init; }

    /// <summary><c>App</c> or <c>Book</c>.</summary>
    public string? ProductType { get; init; }
    public bool? Revocable { get; init; }
    public bool? DeviceAssignable { get; init; }
    public int? MinAvailableCount { get; init; }
    public int? MaxAvailableCount { get; init; }
    public int? MinAssignedCount { get; init; }
    public int? MaxAssignedCount { get; init; }

    internal void AppendTo(AppsAndBooksQuery query) => query
        .Add("adamId", AdamId).Add("pricingParam", PricingParam).Add("productType", ProductType)
        .Add("revocable", Revocable).Add("deviceAssignable", DeviceAssignable)
        .Add("minAvailableCount", MinAvailableCount).Add("maxAvailableCount", MaxAvailableCount)
        .Add("minAssignedCount", MinAssignedCount).Add("maxAssignedCount", MaxAssignedCount);
}

/// <summary>Get Assignments filters; <see cref="SinceVersionId"/> asks for changes only.
/// See https://developer.apple.com/documentation/devicemanagement/get-assignments-9wv1e</summary>
public sealed record AssignmentFilter
{
    public string? AdamId { get; init; }
    public string? PricingParam { get; init; }
    public string? ClientUserId { get; init; }
    public string? SerialNumber { get; init; }
    public string? SinceVersionId { get; init; }
    public bool? ExcludeInactiveUsers { get; init; }
    public bool? IncludeUserState { get; init; }

    internal void AppendTo(AppsAndBooksQuery query) => query
        .Add("adamId", AdamId).Add("pricingParam", PricingParam).Add("clientUserId", ClientUserId)
        .Add("serialNumber", SerialNumber).Add("sinceVersionId", SinceVersionId)
        .Add("excludeInactiveUsers", ExcludeInactiveUsers).Add("includeUserState", IncludeUserState);
}

/// <summary>Get Users filters; <see cref="SinceVersionId"/> asks for changes only.
/// See https://developer.apple.com/documentation/devicemanagement/get-users-4mwln</summary>
public sealed record UserFilter
{
    public string? ClientUserId { get; init; }
    public bool? ActiveOnly { get; init; }
    public bool? RetiredOnly { get; init; }
    public string? SinceVersionId { get; init; }

    internal void AppendTo(AppsAndBooksQuery query) => query
        .Add("clientUserId", ClientUserId).Add("activeOnly", ActiveOnly)
        .Add("retiredOnly", RetiredOnly).Add("sinceVersionId", SinceVersionId);
}
