using ManagedDistribution.Features.Assignments.Members;
using ManagedDistribution.Features.Catalog;
using ManagedDistribution.Features.Directory;
using ManagedDistribution.Features.Licenses;
using ManagedDistribution.Features.LocationTokens;
using ManagedDistribution.Platform.Http;
using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Assignments.DeviceGroups;

/// <summary>An assignment of a device group, or why there is none. <c>Created</c> is false when it already existed.</summary>
public sealed record GroupAssignOutcome(DeviceGroupAssignmentDto? Value, bool Created, Refusal? Refusal);

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
    GroupContexts contexts, GroupLicensing licensing, GroupRevocation revocation, TimeProvider time, ILogger<DeviceGroupAssignments> logger)
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

    /// <summary>Revokes the assignment for every member, then deletes it and its member rows. Null when done.</summary>
    public async Task<Refusal?> RevokeAsync(string groupId, string contentId, CancellationToken cancellationToken)
    {
        if (await contexts.LoadAsync(groupId, contentId, cancellationToken) is not { } context)
            return new(ProblemCodes.NotFound, "The device group has no assignment of that content.");
        if (context.Kind == ContentKind.VppBook) return new(ProblemCodes.Irrevocable, "Purchased books can never be revoked (R2).");
        if (context.NeedsLicense && context.Token?.Health.AllowsWrites() != true)
            return new(ProblemCodes.TokenMissing, "The location token of this item is not installed or does not allow writes; the licenses cannot be returned.");
        var all = new List<AssignmentMember>();
        await foreach (var member in members.AllAsync(TargetKinds.DeviceGroup, groupId, contentId, cancellationToken: cancellationToken)) all.Add(member);
        var outcome = await revocation.RevokeAsync(context, all, MemberReasons.AssignmentDeleted, cancellationToken);
        if (outcome.Refused > 0)
            return new(DeviceAssignments.AppleRefused, $"Apple refused to disassociate {outcome.Refused} devices; the assignment is kept, try again.");
        await revocation.RemoveWaitingAsync(context, cancellationToken);
        await members.DeleteAllAsync(TargetKinds.DeviceGroup, groupId, contentId, cancellationToken);
        await store.DeleteAsync(TargetKinds.DeviceGroup, groupId, contentId, cancellationToken);
        logger.LogInformation("Revoked {ContentId} from device group {GroupId}: {Returned} licenses returned, {HandedOver} handed over, {Removed} removals queued",
            contentId, groupId, outcome.Returned, outcome.HandedOver, outcome.Removals);
        return null;
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
