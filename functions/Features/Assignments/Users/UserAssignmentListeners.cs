using ManagedDistribution.Features.Assignments.Members;
using ManagedDistribution.Features.Directory;

namespace ManagedDistribution.Features.Assignments.Users;

/// <summary>
/// Users enrolling and retiring (raised by Invitations), user-group members joining and leaving
/// (raised by the directory), and the waiting list (R17) for user and user-group assignments.
/// The services are resolved on use: MembershipStore is built with its listeners, this among them.
/// Everything is idempotent: rows already in their end state are skipped, ledger steps have keys.
/// Membership changes of more than <see cref="UserGroupMembershipOptions.InlineLimit"/> members
/// start a workflow (<see cref="UserGroupMembershipWorkflow"/>); smaller ones run inline (reserve,
/// associate, wait for Apple, deliver) as such a workflow whose messages only rescue a request that
/// died; enrolment and retirement run inline.
/// </summary>
public sealed class UserAssignmentListeners(IServiceProvider services, ILogger<UserAssignmentListeners> logger)
    : IUserEnrollmentListener, IGroupMembershipListener
{
    UserAssignments Users => services.GetRequiredService<UserAssignments>();
    UserGroupAssignments Groups => services.GetRequiredService<UserGroupAssignments>();

    /// <summary>
    /// R8: the user's pending purchased content (direct, then through their groups) is licensed and
    /// delivered. Called once per enrolment as it happens, so earlier enrolments take licenses first
    /// (R17); when none are left the user waits (pending / no-license-left).
    /// </summary>
    public async Task UserEnrolledAsync(string userId, DateTimeOffset enrolledAt, CancellationToken cancellationToken)
    {
        logger.LogInformation("User {UserId} enrolled at {EnrolledAt}: activating pending assignments", userId, enrolledAt);
        await Users.ActivatePendingAsync(userId, cancellationToken);
        await Groups.UserEnrolledAsync(userId, cancellationToken);
    }

    /// <summary>Apple released the user's app licenses on retire: ours are returned, the rows revoked / user-retired; books stay.</summary>
    public async Task UserRetiredAsync(string userId, CancellationToken cancellationToken)
    {
        logger.LogInformation("User {UserId} retired: releasing app licenses", userId);
        await Users.RetireAsync(userId, cancellationToken);
        await Groups.UserRetiredAsync(userId, cancellationToken);
    }

    public async Task MembersChangedAsync(GroupMembershipChange change, CancellationToken cancellationToken)
    {
        if (change.Kind != GroupKind.User) return;
        var workflow = services.GetRequiredService<UserGroupMembershipWorkflow>();
        if (workflow.RunsAsWorkflow(change))
        {
            var started = await workflow.StartAsync(change, cancellationToken);
            logger.LogInformation("User group {GroupId}: {JoinedCount} joined, {LeftCount} left; runs as workflow {WorkflowId}",
                change.GroupId, change.Joined.Count, change.Left.Count, started.Id);
            return;
        }
        await workflow.RunInlineAsync(change, cancellationToken);
    }
}

/// <summary>Serves waiting user assignments (pending / no-license-left) when licenses free up (R17).</summary>
public sealed class UserWaitingServer(IServiceProvider services) : IWaitingAssignmentServer
{
    public string TargetKind => TargetKinds.User;

    public async Task<int> ServeWaitingAsync(string assignmentId, string contentId, CancellationToken cancellationToken)
    {
        var store = services.GetRequiredService<AssignmentStore>();
        if (TargetOf(assignmentId, TargetKind) is not { } userId
            || await store.GetAsync(TargetKinds.User, userId, contentId, cancellationToken) is not { } row) return 0;
        if (row.GetString("State") != AssignmentStates.Pending || row.GetString("Reason") != MemberReasons.NoLicense) return 0;
        var users = services.GetRequiredService<UserAssignments>();
        await users.WithdrawWaitingAsync(contentId, assignmentId, cancellationToken);
        await users.ActivateExistingAsync(row, cancellationToken);
        return row.GetString("State") == AssignmentStates.Pending && row.GetString("Reason") == MemberReasons.NoLicense ? 1 : 0;
    }

    /// <summary>The target id of an assignment id <c>{kind}:{targetId}:{contentId}</c> of this kind, else null.</summary>
    internal static string? TargetOf(string assignmentId, string kind)
    {
        var prefix = kind + ":";
        if (!assignmentId.StartsWith(prefix, StringComparison.Ordinal)) return null;
        var rest = assignmentId[prefix.Length..];
        var colon = rest.IndexOf(':');
        return colon > 0 ? rest[..colon] : null;
    }
}

/// <summary>Serves user-group members waiting for a license, in enrolment order, with one new reservation (R17).</summary>
public sealed class UserGroupWaitingServer(IServiceProvider services) : IWaitingAssignmentServer
{
    public string TargetKind => TargetKinds.UserGroup;

    public Task<int> ServeWaitingAsync(string assignmentId, string contentId, CancellationToken cancellationToken) =>
        UserWaitingServer.TargetOf(assignmentId, TargetKind) is { } groupId
            ? services.GetRequiredService<UserGroupAssignments>().ServeWaitingAsync(groupId, contentId, cancellationToken)
            : Task.FromResult(0);
}

/// <summary>A user group with assignments is not deleted without <c>force=true</c>; a forced delete revokes from every member (they leave).</summary>
public sealed class UserGroupAssignmentReferences(AssignmentStore store) : IGroupReferenceSource
{
    public async Task<IReadOnlyList<GroupReference>> FindReferencesAsync(GroupKind kind, string groupId, CancellationToken cancellationToken)
    {
        if (kind != GroupKind.User) return [];
        var rows = await store.ListAsync(TargetKinds.UserGroup, groupId, cancellationToken);
        return [.. rows.Select(r => new GroupReference("assignment", r.GetString("AssignmentId") ?? r.RowKey, $"Content {r.RowKey} is assigned to the group."))];
    }
}
