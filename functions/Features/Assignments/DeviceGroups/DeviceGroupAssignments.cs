using ManagedDistribution.Features.Assignments.Members;
using ManagedDistribution.Features.Catalog;
using ManagedDistribution.Features.Directory;
using ManagedDistribution.Features.Licenses;
using ManagedDistribution.Features.LocationTokens;
using ManagedDistribution.Platform.Http;
using ManagedDistribution.Platform.Storage;
using ManagedDistribution.Platform.Workflows;

namespace ManagedDistribution.Features.Assignments.DeviceGroups;

/// <summary>An assignment of a device group, or why there is none. <c>Created</c> is false when it already existed.</summary>
public sealed record GroupAssignOutcome(DeviceGroupAssignmentDto? Value, bool Created, Refusal? Refusal);

/// <summary>What a DELETE did: refused, done inline (both null), or handed to the revocation workflow (<c>Task</c>).</summary>
public sealed record GroupRevokeOutcome(Refusal? Refusal, DeviceGroupRevocationTask? Task);

/// <summary>
/// Assigns catalogue items to device groups. The group as a whole is refused only for an unknown
/// group or item, a location token that is missing or does not allow writes (R4), or content no
/// device may receive; each member is then served on its own (<see cref="GroupLicensing"/>).
/// POST records the assignment (state <c>assigning</c>, its reservation key fixed), serves the
/// members, then marks it <c>active</c>: a POST repeated after a crash re-runs the same serve
/// with the same key, which the ledger, the workflow engine and the command queue all replay.
/// </summary>
public sealed partial class DeviceGroupAssignments(
    GroupStore groups, ContentStore catalog, AssignmentStore store, AssignmentMemberStore members, LicenseLedger ledger,
    GroupContexts contexts, GroupLicensing licensing, GroupRevocation revocation, GroupRevocationWorkflow revocationWorkflow, AppleDeviceLicenses apple,
    TimeProvider time, ILogger<DeviceGroupAssignments> logger)
{
    public async Task<GroupAssignOutcome> AssignAsync(string groupId, AssignmentInput input, CancellationToken cancellationToken)
    {
        var (context, refusal, isNew) = await PlanAsync(groupId, input, cancellationToken);
        if (context is null) return new(null, false, refusal);
        var row = context.Row;
        if (row.GetString("State") == GroupAssignmentStates.Active)
            return new(await ToDtoAsync(row, cancellationToken), false, null);
        if (isNew) await store.SaveAsync(row, cancellationToken); // recorded before anything is reserved
        var served = await licensing.ServeAsync(context, null, row.GetString("ReservationKey")!, fromWaitingList: false, cancellationToken);
        if (served.Refusal is { } failed) return new(null, false, failed);
        row["State"] = GroupAssignmentStates.Active;
        row["TaskId"] = served.TaskId;
        row["LicensesGranted"] = served.Granted;
        row["UpdatedAt"] = time.GetUtcNow();
        await store.SaveAsync(row, cancellationToken);
        logger.LogInformation("Assigned {ContentId} to device group {GroupId}: {Granted} licensed, {Waiting} waiting, {LeftOut} left out",
            context.ContentId, groupId, served.Granted, served.Waiting, served.LeftOut);
        return new(await ToDtoAsync(row, cancellationToken), true, null);
    }

    public async Task<DeviceGroupAssignmentList?> ListAsync(string groupId, CancellationToken cancellationToken)
    {
        if (await groups.GetAsync(GroupKind.Device, groupId, cancellationToken) is null) return null;
        var rows = await store.ListAsync(TargetKinds.DeviceGroup, groupId, cancellationToken);
        var items = new DeviceGroupAssignmentDto[rows.Count];
        await TableBulk.ForEachAsync(Enumerable.Range(0, rows.Count), async (i, ct) => items[i] = await ToDtoAsync(rows[i], ct), cancellationToken);
        return new(groupId, items);
    }

    /// <summary>One page of an assignment's members; null when there is no such assignment, a refusal for a bad token.</summary>
    public async Task<(AssignmentMemberPage? Page, Refusal? Refusal)> MembersAsync(string groupId, string contentId, string? state, string? continuationToken,
        int? pageSize, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(TargetKinds.DeviceGroup, groupId, contentId, cancellationToken) is null)
            return (null, new(ProblemCodes.NotFound, "The device group has no assignment of that content."));
        var page = await members.PageAsync(TargetKinds.DeviceGroup, groupId, contentId, state, continuationToken, pageSize, cancellationToken);
        return page is null ? (null, new(ProblemCodes.Validation, "continuationToken is not one this API issued.")) : (page, null);
    }

    /// <summary>
    /// Revokes the assignment for every member, then deletes it and its member rows: inline for up to
    /// <see cref="GroupRevocation.InlineLimit"/> live members (Task null when done), else marks it
    /// <c>revoking</c> and starts a <see cref="GroupRevocationWorkflow"/> (Task set). A repeated DELETE
    /// while it runs returns the same task (key = assignment generation + attempt).
    /// </summary>
    public async Task<GroupRevokeOutcome> RevokeAsync(string groupId, string contentId, CancellationToken cancellationToken)
    {
        if (await contexts.LoadAsync(groupId, contentId, cancellationToken) is not { } context)
            return new(new(ProblemCodes.NotFound, "The device group has no assignment of that content."), null);
        if (context.Kind == ContentKind.VppBook) return new(new(ProblemCodes.Irrevocable, "Purchased books can never be revoked (R2)."), null);
        if (context.NeedsLicense && context.Token?.Health.AllowsWrites() != true)
            return new(new(ProblemCodes.TokenMissing, "The location token of this item is not installed or does not allow writes; the licenses cannot be returned."), null);
        var live = new List<AssignmentMember>();
        await foreach (var member in members.AllAsync(TargetKinds.DeviceGroup, groupId, contentId, cancellationToken: cancellationToken))
            if (member.State != MemberStates.Revoked) live.Add(member);
        if (context.Row.GetString("State") == GroupAssignmentStates.Revoking || live.Count > GroupRevocation.InlineLimit)
            return new(null, await StartRevocationAsync(context, live, cancellationToken));
        var outcome = await revocation.RevokeAsync(context, live, MemberReasons.AssignmentDeleted, cancellationToken);
        if (outcome.Refused > 0)
            return new(new(DeviceAssignments.AppleRefused, $"Apple refused to disassociate {outcome.Refused} devices; the assignment is kept, try again."), null);
        await revocation.RemoveWaitingAsync(context, cancellationToken);
        await members.DeleteAllAsync(TargetKinds.DeviceGroup, groupId, contentId, cancellationToken);
        await store.DeleteAsync(TargetKinds.DeviceGroup, groupId, contentId, cancellationToken);
        logger.LogInformation("Revoked {ContentId} from device group {GroupId}: {Returned} licenses returned, {HandedOver} handed over, {Removed} removals queued",
            contentId, groupId, outcome.Returned, outcome.HandedOver, outcome.Removals);
        return new(null, null);
    }

    /// <summary>
    /// The row says <c>revoking</c> before the workflow starts (and no one serves it any more); the
    /// key is fixed by the row (generation + attempt), so a DELETE repeated while it runs, or after a
    /// crash between the row and the start, finds or finishes the same workflow.
    /// </summary>
    async Task<DeviceGroupRevocationTask> StartRevocationAsync(GroupContext context, List<AssignmentMember> live, CancellationToken cancellationToken)
    {
        var row = context.Row;
        var attempt = row.GetInt32("RevokeAttempts") ?? 0;
        if (row.GetString("State") != GroupAssignmentStates.Revoking)
        {
            row["State"] = GroupAssignmentStates.Revoking;
            row["UpdatedAt"] = time.GetUtcNow();
            await store.SaveAsync(row, cancellationToken);
            await revocation.RemoveWaitingAsync(context, cancellationToken);
        }
        var batchSize = context.NeedsLicense ? await apple.MaxSerialsAsync(cancellationToken) : int.MaxValue;
        var workflow = await revocationWorkflow.StartAsync(context, live, GroupRevocationWorkflow.DeleteKey(context, attempt), batchSize, cancellationToken);
        if (workflow.State is WorkflowStates.Failed or WorkflowStates.Cancelled)
        {
            // That attempt gave up: the next DELETE is a new attempt (new key, new workflow).
            row["RevokeAttempts"] = attempt + 1;
            workflow = await revocationWorkflow.StartAsync(context, live, GroupRevocationWorkflow.DeleteKey(context, attempt + 1), batchSize, cancellationToken);
        }
        if (row.GetString("TaskId") != workflow.Id)
        {
            row["TaskId"] = workflow.Id;
            row["UpdatedAt"] = time.GetUtcNow();
            await store.SaveAsync(row, cancellationToken);
        }
        logger.LogInformation("Revoking {ContentId} from device group {GroupId}: {Count} members, workflow {WorkflowId}",
            context.ContentId, context.GroupId, live.Count, workflow.Id);
        return new(workflow.Id, context.GroupId, context.ContentId, live.Count);
    }

    async Task<DeviceGroupAssignmentDto> ToDtoAsync(TableEntity row, CancellationToken cancellationToken)
    {
        var groupId = row.GetString("TargetId") ?? "";
        var counts = await members.CountByStateAsync(TargetKinds.DeviceGroup, groupId, row.RowKey, cancellationToken);
        var waiting = 0;
        if (counts.GetValueOrDefault(MemberStates.Pending) > 0)
            await foreach (var member in members.AllAsync(TargetKinds.DeviceGroup, groupId, row.RowKey, MemberStates.Pending, cancellationToken))
                if (member.Reason == MemberReasons.NoLicense) waiting++;
        return new(row.GetString("AssignmentId") ?? "", groupId, row.RowKey, row.GetString("ContentKind") ?? "", row.GetString("InstallMode") ?? InstallModes.Automatic,
            row.GetString("State") ?? GroupAssignmentStates.Assigning, row.GetString("TaskId"), counts, row.GetInt32("LicensesGranted") ?? 0, waiting,
            row.GetDateTimeOffset("CreatedAt") ?? default, row.GetDateTimeOffset("UpdatedAt") ?? default);
    }
}
