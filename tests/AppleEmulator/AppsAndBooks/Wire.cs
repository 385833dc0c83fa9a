using System.Text.Json;
using System.Text.Json.Serialization;

namespace ManagedDistribution.AppleEmulator.AppsAndBooks;

// Wire shapes of Apple's Apps and Books API v2, written independently of the app's client so
// that the tests check the two against each other rather than against shared code.

public sealed record WireAsset(string? AdamId, string? PricingParam);

public sealed record WireMdmInfo(string? Id, string? Name, string? Metadata);

public sealed record WireErrorInfo(
    IReadOnlyList<WireAsset>? Assets = null, IReadOnlyList<string>? ClientUserIds = null, IReadOnlyList<string>? SerialNumbers = null);

public sealed record WireError(int ErrorNumber, string ErrorMessage, WireErrorInfo? ErrorInfo = null);

public sealed record WireRequestUser(string? ClientUserId, string? Email, string? ManagedAppleId);

public sealed record ManageAssetsBody(IReadOnlyList<WireAsset>? Assets, IReadOnlyList<string>? ClientUserIds, IReadOnlyList<string>? SerialNumbers);

public sealed record RevokeBody(IReadOnlyList<string>? ClientUserIds, IReadOnlyList<string>? SerialNumbers);

public sealed record ManageUsersBody(IReadOnlyList<WireRequestUser>? Users);

public sealed record ClientConfigBody(
    WireMdmInfo? MdmInfo, string? NotificationUrl, string? NotificationAuthToken, IReadOnlyList<string>? NotificationTypes);

public sealed record WireAssignment(
    string AdamId, string PricingParam, string? ClientUserId, string? SerialNumber, string? IdHash = null, string? UserStatus = null);

public sealed record WireUser(string ClientUserId, string? Email, string? IdHash, string? InviteCode, string Status);

public static class WireJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // Apple writes "+0000" and URLs as they are, not as \u002B escapes.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
