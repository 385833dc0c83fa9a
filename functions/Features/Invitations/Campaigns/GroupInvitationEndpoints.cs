using ManagedDistribution.Features.AppsAndBooks;
using ManagedDistribution.Platform.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ManagedDistribution.Features.Invitations.Campaigns;

/// <summary><c>/api/user-groups/{id}/managed-distribution</c>, <c>/invitations/preview</c> and <c>/invitations</c> (R9, R11, R12).</summary>
public static class GroupInvitationEndpoints
{
    public static IEndpointRouteBuilder MapGroupInvitations(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapApiGroup("/user-groups", "Managed distribution");
        group.MapPut("/{id}/managed-distribution", PutAsync).WithName("PutUserGroupManagedDistribution")
            .WithSummary("Enables managed distribution for every member (registered at Apple in chunks of its live limit; Managed Apple Accounts enrol at once) or disables it (members retired at Apple). Disabling members with user licenses answers 409 confirmation-required listing them until repeated with ?confirm=true. More members to change than Invitations:GroupInlineLimit (500) run as a task: 202 {taskId, toChange}, followed at GET /api/tasks/{taskId}; asking the same while it runs answers that task, the opposite change 409 conflict.")
            .ProducesProblem(404).ProducesProblem(409).ProducesProblem(503);
        group.MapPost("/{id}/invitations/preview", PreviewAsync).WithName("PreviewUserGroupInvitations")
            .WithSummary("How many invitations a campaign would send (audience notInvited|notEnrolled, channel email|device), the members skipped per reason and the first recipients. Changes nothing.")
            .ProducesProblem(400).ProducesProblem(404);
        group.MapPost("/{id}/invitations", StartAsync).WithName("StartUserGroupInvitations")
            .WithSummary("Starts an invitation campaign: 202 {taskId, count, skipped}. Follow it at GET /api/tasks/{taskId}; cancel with POST /api/tasks/{taskId}/cancel. The same campaign started twice is the same task, and nobody is invited twice (resendOlderThan re-invites older invitations).")
            .ProducesProblem(400).ProducesProblem(404).ProducesProblem(409).ProducesProblem(503);
        return endpoints;
    }

    static async Task<Results<Ok<GroupManagedDistributionResult>, Accepted<GroupManagedDistributionStarted>, ProblemHttpResult>> PutAsync(string id,
        ManagedDistributionRequest request, bool? confirm, GroupManagedDistribution service, CancellationToken cancellationToken)
    {
        try
        {
            var (result, started, refusal, affected) = await service.SetEnabledAsync(id, request.Enabled, confirm ?? false, cancellationToken);
            return refusal switch
            {
                "not-found" => NotFound(id),
                "token-missing" => ManagedDistributionEndpoints.TokenMissing(),
                "confirm" => ManagedDistributionEndpoints.ConfirmationRequired(affected),
                "busy" => Busy(started!),
                _ when started is not null => TypedResults.Accepted($"/api/tasks/{started.TaskId}", started),
                _ => TypedResults.Ok(result!),
            };
        }
        catch (AppsAndBooksException e)
        {
            return Problems.Result(ProblemCodes.Unavailable, "Apple did not complete the change (repeat it to finish): " + e.Message);
        }
    }

    static ProblemHttpResult Busy(GroupManagedDistributionStarted running)
    {
        var problem = Problems.Create(ProblemCodes.Conflict,
            $"Task {running.TaskId} is changing this group's managed distribution the other way; wait for it (GET /api/tasks/{running.TaskId}) or cancel it first.");
        problem.Extensions["taskId"] = running.TaskId;
        return TypedResults.Problem(problem);
    }

    static async Task<Results<Ok<CampaignPreview>, ProblemHttpResult>> PreviewAsync(string id, CampaignRequest request, CampaignService campaigns,
        CancellationToken cancellationToken)
    {
        if (Invalid(request) is { } bad) return bad;
        var (preview, refusal) = await campaigns.PreviewAsync(id, request.Audience!.Value, request.Channel ?? InvitationChannel.Email,
            request.ResendOlderThan, cancellationToken);
        return refusal is null ? TypedResults.Ok(preview!) : NotFound(id);
    }

    static async Task<Results<Accepted<CampaignStarted>, ProblemHttpResult>> StartAsync(string id, CampaignRequest request, CampaignService campaigns,
        CancellationToken cancellationToken)
    {
        if (Invalid(request) is { } bad) return bad;
        try
        {
            var (started, refusal) = await campaigns.StartAsync(id, request.Audience!.Value, request.Channel ?? InvitationChannel.Email,
                request.ResendOlderThan, cancellationToken);
            return refusal switch
            {
                "not-found" => NotFound(id),
                "token-missing" => ManagedDistributionEndpoints.TokenMissing(),
                _ => TypedResults.Accepted($"/api/tasks/{started!.TaskId}", started),
            };
        }
        catch (AppsAndBooksException e)
        {
            return Problems.Result(ProblemCodes.Unavailable, "Apple's Service Config is unavailable: " + e.Message);
        }
    }

    static ProblemHttpResult? Invalid(CampaignRequest request) =>
        request.Audience is null ? Problems.Result(ProblemCodes.Validation, "audience is required: notInvited or notEnrolled.")
        : request.ResendOlderThan is { } age && age <= TimeSpan.Zero ? Problems.Result(ProblemCodes.Validation, "resendOlderThan must be positive (e.g. \"7.00:00:00\").")
        : null;

    static ProblemHttpResult NotFound(string id) => Problems.Result(ProblemCodes.NotFound, $"There is no user group '{id}'.");
}
