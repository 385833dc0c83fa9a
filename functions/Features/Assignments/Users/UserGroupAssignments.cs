using ManagedDistribution.Features.Assignments.Members;
using ManagedDistribution.Features.Directory;
using ManagedDistribution.Features.Licenses;
using ManagedDistribution.Platform.Http;
using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Assignments.Users;

/// <summary>
/// Assigns catalogue items to user groups. Each member gets a per-member row
/// (<see cref="AssignmentMemberStore"/>): purchased content is licensed for the enrolled members
/// with ONE reservation (<see cref="ReservationMode.UpTo"/>, members in the order they enrolled,
/// R17) — those beyond the grant are pending / no-license-left — and members who have not enrolled
/// are pending / user-not-enrolled without a license (R8). Members joining, leaving, enrolling and
/// retiring are handled by the listeners (see UserAssignmentListeners).
/// </summary>
public sealed partial class UserGroupAssignments(
    GroupStore groups, IServiceProvider services, UserContentReader reader, AssignmentStore store, AssignmentMemberStore members,
    UserLicenser licenser, UserRevoker revoker, UserDelivery delivery, UserEntitlements entitlements, LicenseLedger ledger, TimeProvider time,
    ILogger<UserGroupAssignments> logger)
{
    // Resolved on use: MembershipStore is built with the membership listeners, and this feature is one of them.
    MembershipStore Memberships => services.GetRequiredService<MembershipStore>();

    public async Task<AssignmentList?> ListAsync(string groupId, CancellationToken cancellationToken)
    {
        if (await groups.GetAsync(GroupKind.User, groupId, cancellationToken) is null) return null;
        var rows = await store.ListAsync(TargetKinds.UserGroup, groupId, cancellationToken);
        var items = new List<AssignmentDto>();
        foreach (var row in rows) items.Add(await ToDtoAsync(row, cancellationToken));
        return new(TargetKinds.UserGroup, groupId, items);
    }

    public async Task<(AssignmentPreview? Preview, Refusal? Failure)> PreviewAsync(string groupId, AssignmentInput input, CancellationToken cancellationToken)
    {
        if (await groups.GetAsync(GroupKind.User, groupId, cancellationToken) is null) return (null, new(ProblemCodes.NotFound, "No user group has that id."));
        var (content, refusal) = await reader.ReadAsync(input, cancellationToken);
        if (content is null) return (null, refusal);
        var already = await store.GetAsync(TargetKinds.UserGroup, groupId, content.Id, cancellationToken) is not null;
        var memberIds = await Memberships.MemberIdsAsync(GroupKind.User, groupId, cancellationToken);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        void Add(string what, int n) { if (n > 0) counts[what] = counts.GetValueOrDefault(what) + n; }
        var needed = 0;
        if (!content.IsPurchased) Add("noLicenseNeeded", memberIds.Count);
        else
        {
            var standings = await reader.StandingsAsync(memberIds, cancellationToken);
            Add("userNotEnrolled", standings.Count(s => !s.Enrolled));
            foreach (var standing in standings.Where(s => s.Enrolled))
            {
                var held = await ledger.GetTargetAsync(content.Id, LicenseTarget.User(standing.UserId), cancellationToken);
                if (held is { State: LicenseState.Committed or LicenseState.Reserved }) Add("alreadyLicensed", 1);
                else needed++;
            }
        }
        var available = content.Ledger?.Counts.Available;
        var granted = Math.Min(needed, available ?? needed);
        Add("wouldLicense", granted);
        Add("wouldWait", needed - granted);
        var reason = refusal?.Reason ?? (counts.Count == 0 ? "The group has no members." : Summary(counts));
        return (new AssignmentPreview(TargetKinds.UserGroup, groupId, content.Id, content.Mode, refusal is null, refusal is null ? granted : 0,
            available, refusal?.Problem.Code, reason, already) { Members = counts }, null);
    }

    public async Task<AssignOutcome> AssignAsync(string groupId, AssignmentInput input, CancellationToken cancellationToken)
    {
        if (await groups.GetAsync(GroupKind.User, groupId, cancellationToken) is null)
            return new(null, false, new(ProblemCodes.NotFound, "No user group has that id."));
        var (content, refusal) = await reader.ReadAsync(input, cancellationToken);
        if (content is null || refusal is not null) return new(null, false, refusal);
        if (await store.GetAsync(TargetKinds.UserGroup, groupId, content.Id, cancellationToken) is { } existing)
            return new(await ToDtoAsync(existing, cancellationToken), false, null);
        var row = NewRow(groupId, content);
        await store.SaveAsync(row, cancellationToken);
        var memberIds = await Memberships.MemberIdsAsync(GroupKind.User, groupId, cancellationToken);
        if (await ServeMembersAsync(row, content, memberIds, null, cancellationToken) is { } failure)
        {
            await store.DeleteAsync(TargetKinds.UserGroup, groupId, content.Id, cancellationToken);
            return new(null, false, failure);
        }
        logger.LogInformation("Assigned {ContentId} to user group {GroupId} ({MemberCount} members)", content.Id, groupId, memberIds.Count);
        return new(await ToDtoAsync(row, cancellationToken), true, null);
    }

    /// <summary>One page of the assignment's members; null page + refusal when the group, assignment or token is unknown.</summary>
    public async Task<(AssignmentMemberPage? Page, Refusal? Failure)> MembersAsync(string groupId, string contentId, string? state, string? continuationToken,
        int? pageSize, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(TargetKinds.UserGroup, groupId, contentId, cancellationToken) is null)
            return (null, new(ProblemCodes.NotFound, "The user group has no assignment of that content."));
        if (state is not (null or MemberStates.Licensed or MemberStates.Pending or MemberStates.Installed or MemberStates.Failed or MemberStates.Revoked))
            return (null, new(ProblemCodes.Validation, "state must be licensed, pending, installed, failed or revoked."));
        if (pageSize is < 1 or > 1000) return (null, new(ProblemCodes.Validation, "pageSize must be between 1 and 1000."));
        var page = await members.PageAsync(TargetKinds.UserGroup, groupId, contentId, state, continuationToken, pageSize, cancellationToken);
        return page is null ? (null, new(ProblemCodes.Validation, "continuationToken is not one this API issued.")) : (page, null);
    }

    async Task<AssignmentDto> ToDtoAsync(TableEntity row, CancellationToken cancellationToken)
    {
        var counts = await members.CountByStateAsync(TargetKinds.UserGroup, row.GetString("TargetId")!, row.RowKey, cancellationToken);
        return UserLicensing.ToDto(row) with { MemberCounts = counts };
    }

    TableEntity NewRow(string groupId, UserContent content)
    {
        var now = time.GetUtcNow();
        var c = content.Content;
        var row = new TableEntity(AssignmentStore.PartitionFor(TargetKinds.UserGroup, groupId), c.RowKey)
        {
            ["AssignmentId"] = AssignmentStore.AssignmentId(TargetKinds.UserGroup, groupId, c.RowKey), ["TargetKind"] = TargetKinds.UserGroup,
            ["TargetId"] = groupId, ["ContentKind"] = content.Kind.ToString(), ["InstallMode"] = content.Mode, ["LicenseConsumed"] = false,
            ["State"] = AssignmentStates.Pending, ["CreatedAt"] = now, ["UpdatedAt"] = now,
        };
        foreach (var name in (string[])["LocationUId", "AdamId", "PricingParam", "BundleId", "PersistentId"])
            if (c.GetString(name) is { } value) row[name] = value;
        return row;
    }

    static string Summary(Dictionary<string, int> counts) => "Members: " + string.Join(", ", counts.Select(c => $"{c.Key} {c.Value}")) + ".";
}
