namespace ManagedDistribution.Platform.Storage;

/// <summary>
/// The one failure type of the table and queue clients, shaped like Azure.Core's
/// RequestFailedException: the HTTP status and the service error code (x-ms-error-code or the
/// error body). Stores above the clients translate 404/409/412 into result values.
/// </summary>
public class StorageRequestFailedException(int status, string? errorCode, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public int Status { get; } = status;
    public string? ErrorCode { get; } = errorCode;

    public bool IsNotFound => Status == 404;
    public bool IsConflict => Status == 409;
    public bool IsPreconditionFailed => Status == 412;
}
