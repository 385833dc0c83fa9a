using ManagedDistribution.Features.AppsAndBooks;
using ManagedDistribution.Features.Directory;
using ManagedDistribution.Platform.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ManagedDistribution.Features.Invitations;

/// <summary><c>/api/users/{id}/managed-distribution</c> and <c>/api/users/{id}/invitations</c>.</summary>
public static class ManagedDistributionEndpoints
{
    public static IEndpointRouteBuilder MapManagedDistribution(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapApiGroup("/users", "Managed distribution");
        group.MapGet("/{id}/managed-distribution", GetAsync).WithName("GetUserManagedDistribution")
            .WithSummary("The user's managed-distribution state: enabled, status (notInvited, invited, enrolled, retired), invitedAt, enrolledAt.")
            .ProducesProblem(404);
        group.MapPut("/{id}/managed-distribution", PutAsync).WithName("PutUserManagedDistribution")
            .WithSummary("Enables managed distribution (registers the user at Apple; a Managed Apple Account enrols at once) or disables it (retires the user at Apple: app licenses are released, book licenses stay consumed). Disabling a user with user licenses answers 409 confirmation-required listing them in 'affectedLicenses' until repeated with ?confirm=true, whose answer lists them again. 409 token-missing without exactly one installed location token.")
            .ProducesProblem(404).ProducesProblem(409).ProducesProblem(503);
        group.MapPost("/{id}/invitations", InviteAsync).WithName("InviteUser")
            .WithSummary("Invites the user by email or by InviteToProgram on their assigned devices (device channel on iOS/iPadOS, user channel on macOS). 409 prerequisites-missing names every unmet prerequisite.")
            .ProducesProblem(400).ProducesProblem(404).ProducesProblem(409).ProducesProblem(502).ProducesProblem(503);
        return endpoints;
    }

    static async Task<Results<Ok<ManagedDistributionDto>, ProblemHttpResult>> GetAsync(string id, IUserDirectory users, ManagedDistributionStore states,
        CancellationToken cancellationToken)
    {
        if (await users.GetUserAsync(id, cancellationToken) is null) return NotFound(id);
        return TypedResults.Ok((await states.GetAsync(id, cancellationToken)).ToDto());
    }

    static async Task<Results<Ok<ManagedDistributionChange>, ProblemHttpResult>> PutAsync(string id, ManagedDistributionRequest request, bool? confirm,
        ManagedDistributionService service, CancellationToken cancellationToken)
    {
        try
        {
            var (state, refusal, affected) = await service.SetEnabledAsync(id, request.Enabled, confirm ?? false, cancellationToken);
            return refusal switch
            {
                "not-found" => NotFound(id),
                "token-missing" => TokenMissing(),
                "confirm" => ConfirmationRequired(affected),
                _ => TypedResults.Ok(ManagedDistributionChange.Of(state!, affected)),
            };
        }
        catch (Exception e) when (e is AppsAndBooksException or AppleRegistrationException)
        {
            return Problems.Result(ProblemCodes.Unavailable, "Apple did not complete the change: " + e.Message);
        }
    }

    static async Task<Results<Ok<InvitationResult>, ProblemHttpResult>> InviteAsync(string id, InvitationRequest request,
        InvitationService service, CancellationToken cancellationToken)
    {
        try
        {
            var (result, refusal) = await service.InviteAsync(id, request, cancellationToken);
            if (result is not null) return TypedResults.Ok(result);
            var problem = Problems.Create(TypeOf(refusal!.Code), refusal.Detail);
            if (refusal.Missing.Count > 0) problem.Extensions["missing"] = refusal.Missing;
            return TypedResults.Problem(problem);
        }
        catch (AppsAndBooksException e)
        {
            return Problems.Result(ProblemCodes.Unavailable, "Apple's Service Config is unavailable: " + e.Message);
        }
    }

    static ProblemType TypeOf(string code) => code switch
    {
        "already-enrolled" => ProblemCodes.AlreadyEnrolled,
        "mail-failed" => ProblemCodes.MailFailed,
        "mail-unavailable" => ProblemCodes.MailUnavailable,
        _ => ProblemCodes.PrerequisitesMissing,
    };

    internal static ProblemHttpResult TokenMissing() =>
        Problems.Result(ProblemCodes.TokenMissing, "Managed distribution needs exactly one installed, usable location token (POST /api/vpp/tokens).");

    /// <summary>409 listing what retiring would do to each user license; repeat with <c>?confirm=true</c> to go ahead.</summary>
    internal static ProblemHttpResult ConfirmationRequired(IReadOnlyList<AffectedLicense> affected)
    {
        var problem = Problems.Create(ProblemCodes.ConfirmationRequired,
            $"Disabling retires the users at Apple: {affected.Count(a => a.Outcome == AffectedLicense.Released)} app licenses are released, "
            + $"{affected.Count(a => a.Outcome == AffectedLicense.Kept)} book licenses stay consumed. Repeat with ?confirm=true to go ahead.");
        problem.Extensions["affectedLicenses"] = affected;
        return TypedResults.Problem(problem);
    }

    static ProblemHttpResult NotFound(string id) => Problems.Result(ProblemCodes.NotFound, $"There is no user '{id}'.");
}
