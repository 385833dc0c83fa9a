namespace ManagedDistribution.Platform.Http;

/// <summary>
/// The catalog of problem types the API sends (RFC 9457, https://www.rfc-editor.org/rfc/rfc9457).
/// Every error response carries <c>type</c> = <see cref="TypeBase"/> + code and a <c>code</c>
/// extension; codes never change once published. Features add their domain codes here.
/// </summary>
public static class ProblemCodes
{
    public const string TypeBase = "https://managed-distribution.example/problems/";

    // Edge codes: produced by the platform for any endpoint.
    public static readonly ProblemType Validation = new("validation", 400, "The request has invalid fields.");
    public static readonly ProblemType MalformedJson = new("malformed-json", 400, "The request body is not valid JSON for this endpoint.");
    public static readonly ProblemType BadRequest = new("bad-request", 400, "The request could not be understood.");
    public static readonly ProblemType Unauthorized = new("unauthorized", 401, "A valid admin API key is required.");
    public static readonly ProblemType Forbidden = new("forbidden", 403, "The caller may not do this.");
    public static readonly ProblemType NotFound = new("not-found", 404, "The resource was not found.");
    public static readonly ProblemType MethodNotAllowed = new("method-not-allowed", 405, "The method is not allowed on this resource.");
    public static readonly ProblemType Conflict = new("conflict", 409, "The request conflicts with the current state.");
    public static readonly ProblemType PayloadTooLarge = new("payload-too-large", 413, "The request body is too large.");
    public static readonly ProblemType UnsupportedMediaType = new("unsupported-media-type", 415, "The request body has an unsupported content type.");
    public static readonly ProblemType Internal = new("internal", 500, "An unexpected error occurred.");
    public static readonly ProblemType Unavailable = new("unavailable", 503, "A service the API depends on is unavailable.");

    // Domain codes (DESIGN.md §4): the request is well formed but the current state refuses it.
    public static readonly ProblemType LicenseExhausted = new("license-exhausted", 409, "No license is available for this content.");
    public static readonly ProblemType NotEligible = new("not-eligible", 409, "The target is not eligible for this content.");
    public static readonly ProblemType NotEnrolled = new("not-enrolled", 409, "The user or device is not enrolled.");
    public static readonly ProblemType Irrevocable = new("irrevocable", 409, "This assignment cannot be revoked.");
    public static readonly ProblemType TaskFinished = new("task-finished", 409, "The task has already completed or failed.");
    public static readonly ProblemType TokenMissing = new("token-missing", 409, "No Apps and Books location token is installed.");
    public static readonly ProblemType TokenExpired = new("token-expired", 400, "The Apps and Books location token has expired.");
    public static readonly ProblemType TokenRevoked = new("token-revoked", 400, "The Apps and Books location token was revoked.");
    public static readonly ProblemType TokenRejected = new("token-rejected", 400, "Apple does not accept the Apps and Books location token.");
    public static readonly ProblemType PreconditionFailed = new("precondition-failed", 412, "The resource is not in the version the request expected (If-Match / If-None-Match).");
    public static readonly ProblemType UnknownIds = new("unknown-ids", 400, "Some of the ids do not exist; nothing was changed.");
    public static readonly ProblemType TooManyItems = new("too-many-items", 400, "The request carries more items than one call accepts.");
    public static readonly ProblemType MalformedCsv = new("malformed-csv", 400, "The request body is not valid CSV for this endpoint.");
    public static readonly ProblemType UnknownUser = new("unknown-user", 400, "The request names a user that does not exist.");
    public static readonly ProblemType InvalidMdmMessage = new("invalid-mdm-message", 400, "The body is not an MDM message this server accepts.");
    public static readonly ProblemType UnknownCommand = new("unknown-command", 400, "The status is for a command this channel was never sent.");
    public static readonly ProblemType UnknownDevice = new("unknown-device", 401, "The device is not enrolled with this server.");
    public static readonly ProblemType SignatureRequired = new("signature-required", 401, "Device messages must carry an Mdm-Signature header.");
    public static readonly ProblemType DeviceIdentityRefused = new("device-identity-refused", 403, "The message is not signed by the identity bound to this device.");
    public static readonly ProblemType PrerequisitesMissing = new("prerequisites-missing", 409, "Prerequisites of the operation are missing; the 'missing' extension names each.");
    public static readonly ProblemType AlreadyEnrolled = new("already-enrolled", 409, "The user is already enrolled in managed distribution.");
    public static readonly ProblemType MailFailed = new("mail-failed", 502, "The mail provider refused the message.");
    public static readonly ProblemType ConfirmationRequired = new("confirmation-required", 409, "The change has consequences to confirm; the problem lists them. Repeat with ?confirm=true.");
    public static readonly ProblemType MailUnavailable = new("mail-unavailable", 503, "The mail provider is unavailable; retry later.");

    static readonly Dictionary<int, ProblemType> ByStatus = new[]
    {
        BadRequest, Unauthorized, Forbidden, NotFound, MethodNotAllowed, Conflict,
        PayloadTooLarge, UnsupportedMediaType, Internal, Unavailable,
    }.ToDictionary(p => p.Status);

    /// <summary>The generic type for a status the framework produced without saying why (404 from routing, 405, ...).</summary>
    public static ProblemType ForStatus(int status) =>
        ByStatus.TryGetValue(status, out var type) ? type
        : status >= 500 ? Internal
        : new ProblemType($"http-{status}", status, "The request failed.");
}
