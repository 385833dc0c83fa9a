namespace ManagedDistribution.Features.AppsAndBooks.Models;

/// <summary>A user as Apple reports it: <c>Registered</c> (with <c>inviteCode</c>),
/// <c>Associated</c> (with <c>idHash</c>), <c>Retired</c> or legacy <c>Deleted</c>.
/// See https://developer.apple.com/documentation/devicemanagement/responseuser</summary>
public sealed record AppsAndBooksUser
{
    public const string Registered = "Registered";
    public const string Associated = "Associated";
    public const string Retired = "Retired";

    public string ClientUserId { get => field ?? ""; init; }
    public string? Email { get; init; }
    public string? IdHash { get; init; }
    public string? InviteCode { get; init; }
    public string? Status { get; init; }
}

/// <summary>A user to create, update or retire: <c>clientUserId</c> is ours to choose.
/// See https://developer.apple.com/documentation/devicemanagement/requestuser</summary>
public sealed record RequestUser(string ClientUserId, string? Email = null, string? ManagedAppleId = null);

/// <summary>One page of Get Users.
/// See https://developer.apple.com/documentation/devicemanagement/get-users-4mwln</summary>
public sealed record GetUsersResponse : PagedResponse
{
    public IReadOnlyList<AppsAndBooksUser> Users { get => field ?? []; init; }
}
