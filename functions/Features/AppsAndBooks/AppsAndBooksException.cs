using ManagedDistribution.Features.AppsAndBooks.Models;

namespace ManagedDistribution.Features.AppsAndBooks;

/// <summary>What is wrong with a location token, read from Apple's error number.</summary>
public enum LocationTokenProblem
{
    None,
    /// <summary>9601 "Login required": unknown or invalid token.</summary>
    LoginRequired,
    /// <summary>9621: expired; regenerate it in Apple School/Business Manager.</summary>
    Expired,
    /// <summary>9625: revoked.</summary>
    Revoked,
    /// <summary>9722: the Authorization header was malformed.</summary>
    MalformedHeader,
}

/// <summary>
/// The one failure type of <see cref="AppsAndBooksClient"/>: the HTTP status and Apple's
/// <c>errorNumber</c> (which may arrive with HTTP 200), the message and <c>errorInfo</c>.
/// See https://developer.apple.com/documentation/devicemanagement/handling-error-responses
/// </summary>
public sealed class AppsAndBooksException(
    int status, int? errorNumber, string message, ErrorInfo? errorInfo = null, Exception? inner = null)
    : Exception(message, inner)
{
    public const int LoginRequiredError = 9601;
    public const int InternalError = 9603;
    /// <summary>"License already assigned, no retry needed" (v1; v2 undocumented): on an associate, the target has it.</summary>
    public const int AlreadyAssignedError = 9616;
    public const int TokenExpiredError = 9621;
    public const int TokenRevokedError = 9625;
    public const int TooManyRequestsError = 9646;
    public const int NotRevocableError = 9706;
    public const int NotDeviceAssignableError = 9707;
    public const int MalformedAuthorizationError = 9722;

    /// <summary>HTTP status of the response (200 for an error body on a 200).</summary>
    public int Status { get; } = status;

    /// <summary>Apple's errorNumber, when the body had one.</summary>
    public int? ErrorNumber { get; } = errorNumber;

    public ErrorInfo? ErrorInfo { get; } = errorInfo;

    /// <summary>How long Apple asked us to wait, when the last answer carried Retry-After.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>Events already accepted by earlier chunks of a chunked write before this failure.</summary>
    public IReadOnlyList<string> AcceptedEventIds { get; init; } = [];

    /// <summary>Set when the failure is that another MDM manages the location (see <see cref="OtherMdmInfo"/>).</summary>
    public bool IsMdmInfoConflict { get; init; }

    public MdmInfo? OtherMdmInfo { get; init; }

    public LocationTokenProblem TokenProblem => ErrorNumber switch
    {
        LoginRequiredError => LocationTokenProblem.LoginRequired,
        TokenExpiredError => LocationTokenProblem.Expired,
        TokenRevokedError => LocationTokenProblem.Revoked,
        MalformedAuthorizationError => LocationTokenProblem.MalformedHeader,
        _ => LocationTokenProblem.None,
    };

    /// <summary>Load shedding (429/9646), internal errors (9603), 5xx and no answer at all
    /// (status 0): worth another try later.</summary>
    public bool IsTransient =>
        Status is 0 or 429 or >= 500 || ErrorNumber is TooManyRequestsError or InternalError;

    internal AppsAndBooksException WithAcceptedEvents(IReadOnlyList<string> accepted) =>
        new(Status, ErrorNumber, Message, ErrorInfo, this)
        {
            RetryAfter = RetryAfter,
            AcceptedEventIds = [.. accepted, .. AcceptedEventIds],
            IsMdmInfoConflict = IsMdmInfoConflict,
            OtherMdmInfo = OtherMdmInfo,
        };
}
