namespace ManagedDistribution.AppleEmulator.AppsAndBooks;

/// <summary>Apple's v2 error numbers with their HTTP status and message (contracts/apple.md §1.13).</summary>
public static class AppleErrors
{
    static readonly Dictionary<int, (int Status, string Message)> Catalog = new()
    {
        [9601] = (401, "Login required"),
        [9602] = (400, "Invalid argument"),
        [9603] = (500, "Internal error"),
        [9609] = (400, "Registered user not found"),
        [9616] = (400, "License already assigned, no retry needed"),
        [9621] = (401, "Token has expired. Generate a new token from the portal"),
        [9625] = (401, "Token has been revoked"),
        [9646] = (429, "Too many requests for this organization"),
        [9650] = (400, "Invalid pageIndex"),
        [9700] = (400, "Too many assets"),
        [9701] = (400, "Too many clientUserIds"),
        [9702] = (400, "Too many serialNumbers"),
        [9703] = (400, "Duplicate assets"),
        [9704] = (400, "Duplicate clientUserIds"),
        [9705] = (400, "Duplicate serialNumbers"),
        [9706] = (400, "Asset is not revocable"),
        [9707] = (400, "Asset is not device assignable"),
        [9708] = (400, "Event not found"),
        [9709] = (400, "Not enough licenses"),
        [9710] = (400, "Notification URL and auth token must both be provided"),
        [9711] = (400, "Notification URL or auth token too long"),
        [9712] = (400, "Notification URL must be a valid HTTPS URL"),
        [9713] = (400, "MDM metadata too long"),
        [9714] = (400, "Too many users"),
        [9715] = (400, "Duplicate users"),
        [9716] = (400, "An active user with this clientUserId already exists"),
        [9717] = (400, "Invalid email"),
        [9718] = (400, "Assets are required"),
        [9719] = (400, "clientUserIds or serialNumbers are required"),
        [9720] = (400, "Users are required"),
        [9721] = (400, "Invalid versionId"),
        [9722] = (401, "Malformed Authorization header"),
        [9723] = (400, "mdmInfo requires id, name and metadata"),
        [9724] = (400, "MDM id too long"),
        [9725] = (400, "MDM name too long"),
        [9726] = (405, "Unsupported HTTP method"),
        [9727] = (415, "Unsupported Content-Type"),
        [9728] = (400, "Notification URL is unreachable"),
    };

    public static int StatusOf(int errorNumber) => Catalog.TryGetValue(errorNumber, out var e) ? e.Status : 400;

    public static string MessageOf(int errorNumber) => Catalog.TryGetValue(errorNumber, out var e) ? e.Message : "Error";

    public static WireError Error(int errorNumber, WireErrorInfo? info = null) => new(errorNumber, MessageOf(errorNumber), info);

    public static IEnumerable<object> Table => Catalog.Select(e => new { errorNumber = e.Key, errorMessage = e.Value.Message });
}

/// <summary>Thrown inside the emulator's handlers; the middleware writes Apple's error body.</summary>
public sealed class AppleErrorException(int errorNumber, WireErrorInfo? errorInfo = null)
    : Exception($"Apple error {errorNumber}")
{
    public WireError Error { get; } = AppleErrors.Error(errorNumber, errorInfo);
    public int Status => AppleErrors.StatusOf(Error.ErrorNumber);
}
