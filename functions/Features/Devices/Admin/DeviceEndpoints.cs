using ManagedDistribution.Features.Devices.Protocol;
using ManagedDistribution.Features.Devices.Registry;
using ManagedDistribution.Platform.Http;
using ManagedDistribution.Platform.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace ManagedDistribution.Features.Devices.Admin;

/// <summary>
/// <c>/api/devices</c>: list and filter devices, rename, associate with a user, look at the command
/// queue, refresh and read the inventory. Handlers parse input, call <see cref="DeviceAdminService"/>
/// and map its outcome through <see cref="Reply{T}"/> (and so <see cref="DeviceProblems"/>).
/// </summary>
public static class DeviceEndpoints
{
    public const int DefaultPageSize = 100;
    public const int DefaultCommandLimit = 50;

    public static IEndpointRouteBuilder MapDeviceAdmin(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapApiGroup("/devices", "Devices");
        group.MapGet("", ListAsync).WithSummary("List devices, filtered by platform, enrollmentState and userId.");
        group.MapGet("/{id}", GetAsync).WithSummary("One device, with its user channels.").ProducesProblem(404);
        group.MapPatch("/{id}", RenameAsync).WithSummary("Rename a device (name null or empty clears it).").ProducesProblem(404);
        group.MapPut("/{id}/user", AssociateAsync).WithSummary("Associate the device with a user.").ProducesProblem(400).ProducesProblem(404);
        group.MapDelete("/{id}/user", DissociateAsync).WithSummary("Dissociate the device from its user.").ProducesProblem(404);
        group.MapGet("/{id}/commands", CommandsAsync).WithSummary("Recent commands of the device and their status, newest first.").ProducesProblem(404);
        group.MapPost("/{id}/refresh", RefreshAsync).WithSummary("Ask the device for its managed apps (and books on iOS/iPadOS).")
            .ProducesProblem(404).ProducesProblem(409);
        group.MapPost("/refresh", RefreshEndpoints.RefreshManyAsync)
            .WithSummary("Ask up to 10,000 devices for their managed apps at once: one push task; unknown and unenrolled devices are skipped with a reason.")
            .ProducesProblem(400);
        group.MapGet("/{id}/apps", AppsAsync).WithSummary("Managed apps and books the device last reported.").ProducesProblem(404);
        endpoints.MapApiGroup("/device-groups", "Device groups").MapPost("/{id}/refresh", RefreshEndpoints.RefreshGroupAsync)
            .WithSummary("Ask every member of a device group for its managed apps: one push task; unknown and unenrolled members are skipped with a reason.")
            .ProducesProblem(404);
        return endpoints;
    }

    static async Task<Results<Ok<DevicePage>, ValidationProblem>> ListAsync(DeviceAdminService service, CancellationToken cancellationToken,
        string? platform = null, string? enrollmentState = null, string? userId = null, int? pageSize = null, string? continuationToken = null)
    {
        var errors = new Dictionary<string, string[]>();
        string? platformName = null;
        if (platform is not null && !platform.Any(char.IsDigit) && Enum.TryParse<DevicePlatform>(platform, ignoreCase: true, out var parsed))
            platformName = parsed.ToString();
        else if (platform is not null)
            errors["platform"] = [$"One of {string.Join(", ", Enum.GetNames<DevicePlatform>())}."];
        if (enrollmentState is not null && !EnrollmentStates.All.Contains(enrollmentState))
            errors["enrollmentState"] = [$"One of {string.Join(", ", EnrollmentStates.All)}."];
        if (pageSize is < 1 or > TableClient.MaxPageSize) errors["pageSize"] = [$"Between 1 and {TableClient.MaxPageSize}."];
        if (!DeviceListTokens.TryDecode(continuationToken, out var continuation)) errors["continuationToken"] = ["Pass back the token of the previous page unchanged."];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        var query = new DeviceQuery(platformName, enrollmentState, string.IsNullOrEmpty(userId) ? null : userId);
        return TypedResults.Ok(await service.ListAsync(query, pageSize ?? DefaultPageSize, continuation, cancellationToken));
    }

    static async Task<Results<Ok<DeviceDto>, ProblemHttpResult>> GetAsync(string id, DeviceAdminService service, CancellationToken cancellationToken) =>
        Reply(await service.GetAsync(id, cancellationToken));

    static async Task<Results<Ok<DeviceDto>, ProblemHttpResult>> RenameAsync(string id, RenameDeviceRequest request, DeviceAdminService service,
        CancellationToken cancellationToken) =>
        Reply(await service.RenameAsync(id, request.Name, cancellationToken));

    static async Task<Results<Ok<DeviceDto>, ProblemHttpResult>> AssociateAsync(string id, AssociateUserRequest request, DeviceAdminService service,
        CancellationToken cancellationToken) =>
        Reply(await service.AssociateAsync(id, request.UserId, cancellationToken));

    static async Task<Results<NoContent, ProblemHttpResult>> DissociateAsync(string id, DeviceAdminService service, CancellationToken cancellationToken)
    {
        var outcome = await service.DissociateAsync(id, cancellationToken);
        return outcome.Succeeded ? TypedResults.NoContent() : DeviceProblems.ToProblem(outcome.Failure);
    }

    static async Task<Results<Ok<DeviceCommands>, ProblemHttpResult>> CommandsAsync(string id, DeviceAdminService service,
        CancellationToken cancellationToken, int? limit = null) =>
        limit is < 1 or > 500
            ? Problems.Result(ProblemCodes.BadRequest, "limit is between 1 and 500.")
            : Reply(await service.CommandsAsync(id, limit ?? DefaultCommandLimit, cancellationToken));

    static async Task<Results<Accepted<RefreshAccepted>, ProblemHttpResult>> RefreshAsync(string id, DeviceRefresh refresh,
        [FromHeader(Name = RefreshEndpoints.IdempotencyKeyHeader)] string? idempotencyKey, CancellationToken cancellationToken)
    {
        var outcome = await refresh.RefreshAsync(id, idempotencyKey, cancellationToken);
        return outcome.Succeeded ? TypedResults.Accepted($"{ApiRoutes.Prefix}/devices/{id}/commands", outcome.Value) : DeviceProblems.ToProblem(outcome.Failure);
    }

    static async Task<Results<Ok<DeviceApps>, ProblemHttpResult>> AppsAsync(string id, DeviceAdminService service, CancellationToken cancellationToken) =>
        Reply(await service.AppsAsync(id, cancellationToken));

    /// <summary>The one mapping of a service outcome to a response: the value as 200, a failure as its problem.</summary>
    static Results<Ok<T>, ProblemHttpResult> Reply<T>(DeviceOutcome<T> outcome) =>
        outcome.Succeeded ? TypedResults.Ok(outcome.Value) : DeviceProblems.ToProblem(outcome.Failure);
}
