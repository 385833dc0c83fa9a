using ManagedDistribution.Platform.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace ManagedDistribution.Features.Devices.Admin;

/// <summary>
/// Bulk inventory refresh: <c>POST /api/devices/refresh</c> (a list of device ids) and
/// <c>POST /api/device-groups/{id}/refresh</c> (a group's members). Both answer 202 with the one
/// push task of the call and the devices skipped. An <c>Idempotency-Key</c> header makes a retry
/// find the commands and the push task of the first attempt instead of queueing again.
/// </summary>
public static class RefreshEndpoints
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";
    const int MaxKeyLength = 200;

    public static async Task<Results<Accepted<BulkRefreshAccepted>, ProblemHttpResult>> RefreshManyAsync(BulkRefreshRequest request, DeviceRefresh refresh,
        [FromHeader(Name = IdempotencyKeyHeader)] string? idempotencyKey, CancellationToken cancellationToken)
    {
        if (idempotencyKey is { Length: > MaxKeyLength }) return KeyTooLong();
        var accepted = await refresh.RefreshManyAsync(request.DeviceIds, "devices", idempotencyKey, cancellationToken);
        return TypedResults.Accepted(TaskLocation(accepted), accepted);
    }

    public static async Task<Results<Accepted<BulkRefreshAccepted>, ProblemHttpResult>> RefreshGroupAsync(string id, DeviceRefresh refresh,
        [FromHeader(Name = IdempotencyKeyHeader)] string? idempotencyKey, CancellationToken cancellationToken)
    {
        if (idempotencyKey is { Length: > MaxKeyLength }) return KeyTooLong();
        var outcome = await refresh.RefreshGroupAsync(id, idempotencyKey, cancellationToken);
        return outcome.Succeeded ? TypedResults.Accepted(TaskLocation(outcome.Value), outcome.Value) : DeviceProblems.ToProblem(outcome.Failure);
    }

    static string? TaskLocation(BulkRefreshAccepted accepted) => accepted.TaskId is { Length: > 0 } id ? $"{ApiRoutes.Prefix}/tasks/{id}" : null;

    static ProblemHttpResult KeyTooLong() => Problems.Result(ProblemCodes.BadRequest, $"{IdempotencyKeyHeader} is at most {MaxKeyLength} characters.");
}
