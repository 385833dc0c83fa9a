namespace ManagedDistribution.Features.AppsAndBooks.Models;

/// <summary>Associate / disassociate body.
/// See https://developer.apple.com/documentation/devicemanagement/manageassetsrequest</summary>
public sealed record ManageAssetsRequest(
    IReadOnlyList<AssetKey> Assets,
    IReadOnlyList<string>? ClientUserIds,
    IReadOnlyList<string>? SerialNumbers);

/// <summary>Revoke body: releases every revocable assignment of these users and devices.
/// See https://developer.apple.com/documentation/devicemanagement/revokeassetsrequest</summary>
public sealed record RevokeAssetsRequest(IReadOnlyList<string>? ClientUserIds, IReadOnlyList<string>? SerialNumbers);

/// <summary>Create / update / retire users body.</summary>
public sealed record ManageUsersRequest(IReadOnlyList<RequestUser> Users);

/// <summary>The synchronous answer to every management call: the work is only accepted.
/// See https://developer.apple.com/documentation/devicemanagement/eventresponse</summary>
public sealed record EventResponse : AppsAndBooksResponse
{
    public string EventId { get => field ?? ""; init; }
}
