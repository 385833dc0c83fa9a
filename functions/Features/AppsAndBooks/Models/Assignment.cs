namespace ManagedDistribution.Features.AppsAndBooks.Models;

/// <summary>
/// One license assignment: an asset held by exactly one of a user (<c>clientUserId</c>) or a
/// device (<c>serialNumber</c>). v2 has no license ids.
/// See https://developer.apple.com/documentation/devicemanagement/assignment
/// </summary>
public sealed record Assignment
{
    public string AdamId { get => field ?? ""; init; }
    public string PricingParam { get => field ?? AssetKey.Standard; init; }
    public string? ClientUserId { get; init; }
    public string? SerialNumber { get; init; }

    /// <summary>Only with <c>includeUserState=true</c>.</summary>
    public string? IdHash { get; init; }
    public string? UserStatus { get; init; }

    public AssetKey Asset => new(AdamId, PricingParam);
}

/// <summary>One page of Get Assignments.
/// See https://developer.apple.com/documentation/devicemanagement/getassignmentsresponse</summary>
public sealed record GetAssignmentsResponse : PagedResponse
{
    public IReadOnlyList<Assignment> Assignments { get => field ?? []; init; }
}
