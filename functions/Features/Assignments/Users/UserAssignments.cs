using ManagedDistribution.Features.Assignments.Members;
using ManagedDistribution.Features.Directory;
using ManagedDistribution.Features.Licenses;
using ManagedDistribution.Platform.Http;
using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Assignments.Users;

/// <summary>
/// Assigns catalogue items to single users (R1 users take everything, R4, R5, R6, R8). Purchased
/// content for a user who has not enrolled in managed distribution is kept as
/// <c>pending / user-not-enrolled</c> without reserving a license; also when managed distribution is
/// not even enabled for the user (the admin assigns ahead of enrolment; the detail says what is
/// missing). Enrolled users get one license (all or nothing: none left → 409 license-exhausted,
/// nothing kept), associated at Apple with their <c>clientUserId</c>, then the install is delivered.
/// </summary>
public sealed partial class UserAssignments(
    IUserDirectory users, UserContentReader reader, AssignmentStore store, UserLicenser licenser, UserRevoker revoker, UserDelivery delivery,
    UserEntitlements entitlements, LicenseLedger ledger, TimeProvider time, ILogger<UserAssignments> logger)
{
    public async Task<AssignmentList?> ListAsync(string userId, CancellationToken cancellationToken)
    {
        if (await users.GetUserAsync(userId, cancellationToken) is null) return null;
        var rows = await store.ListAsync(TargetKinds.User, userId, cancellationToken);
        return new(TargetKinds.User, userId, [.. rows.Select(UserLicensing.ToDto)]);
    }

    public async Task<(AssignmentPreview? Preview, Refusal? Failure)> PreviewAsync(string userId, AssignmentInput input, CancellationToken cancellationToken)
    {
        if (await users.GetUserAsync(userId, cancellationToken) is null) return (null, new(ProblemCodes.NotFound, "No user has that id."));
        var (content, refusal) = await reader.ReadAsync(input, cancellationToken);
        if (content is null) return (null, refusal);
        var existing = await store.GetAsync(TargetKinds.User, userId, content.Id, cancellationToken);
        var already = existing is not null && existing.GetString("State") is not (AssignmentStates.Failed or AssignmentStates.Revoked);
        var standing = await reader.StandingAsync(userId, cancellationToken);
        var held = content.IsPurchased && await ledger.GetTargetAsync(content.Id, LicenseTarget.User(userId), cancellationToken)
            is { State: LicenseState.Committed or LicenseState.Reserved };
        var needed = content.IsPurchased && !already && !held && standing.Enrolled ? 1 : 0;
        var available = content.Ledger?.Counts.Available;
        refusal ??= needed > available ? Exhausted(content.Ledger!) : null;
        var reason = refusal?.Reason ?? (content.IsPurchased && !standing.Enrolled ? "Would stay pending: " + standing.NotEnrolledDetail : null);
        return (new AssignmentPreview(TargetKinds.User, userId, content.Id, content.Mode, refusal is null, refusal is null ? needed : 0,
            available, refusal?.Problem.Code, reason, already), null);
    }

    public async Task<AssignOutcome> AssignAsync(string userId, AssignmentInput input, CancellationToken cancellationToken)
    {
        if (await users.GetUserAsync(userId, cancellationToken) is null) return new(null, false, new(ProblemCodes.NotFound, "No user has that id."));
        var (content, refusal) = await reader.ReadAsync(input, cancellationToken);
        if (content is null || refusal is not null) return new(null, false, refusal);
        var existing = await store.GetAsync(TargetKinds.User, userId, content.Id, cancellationToken);
        if (existing is not null && existing.GetString("State") is not (AssignmentStates.Failed or AssignmentStates.Revoked))
            return new(UserLicensing.ToDto(existing), false, null);
        var row = NewRow(userId, content, existing);
        if (await ActivateAsync(row, content, ReservationMode.AllOrNothing, cancellationToken) is { } failure)
            return new(failure.Problem == DeviceAssignments.AppleRefused ? UserLicensing.ToDto(row) : null, false, failure);
        return new(UserLicensing.ToDto(row), true, null);
    }

    /// <summary>
    /// Licenses (purchased content of an enrolled user) and delivers one direct assignment, then
    /// saves it. With <see cref="ReservationMode.AllOrNothing"/> (an admin's POST) an exhausted item
    /// keeps nothing and answers license-exhausted; with <see cref="ReservationMode.UpTo"/> (enrolment,
    /// waiting list) the assignment stays pending / no-license-left on the ledger's waiting list.
    /// </summary>
    internal async Task<Refusal?> ActivateAsync(TableEntity row, UserContent content, ReservationMode mode, CancellationToken cancellationToken)
    {
        var userId = row.GetString("TargetId")!;
        var assignmentId = row.GetString("AssignmentId")!;
        row["UpdatedAt"] = time.GetUtcNow();
        if (content.IsPurchased)
        {
            var standing = await reader.StandingAsync(userId, cancellationToken);
            if (!standing.Enrolled)
            {
                SetState(row, AssignmentStates.Pending, MemberReasons.UserNotEnrolled, standing.NotEnrolledDetail);
                await store.SaveAsync(row, cancellationToken);
                return null;
            }
            var run = await licenser.LicenseAsync(content, assignmentId, [userId], mode, cancellationToken);
            if (run.Refusal is { } refused) return refused;
            if (run.ReservationKey is { } key) row["ReservationKey"] = key;
            var license = run.Users[userId];
            if (license.State == MemberStates.Pending && mode == ReservationMode.AllOrNothing)
            {
                await WithdrawWaitingAsync(content.Id, assignmentId, cancellationToken);
                return Exhausted(await ledger.GetAsync(content.Id, cancellationToken) ?? content.Ledger!);
            }
            SetState(row, license.State, license.Reason, license.Detail);
            row["LicenseConsumed"] = license.State == MemberStates.Licensed;
            if (license.State != MemberStates.Licensed)
            {
                await store.SaveAsync(row, cancellationToken);
                return license.State == MemberStates.Failed ? new(DeviceAssignments.AppleRefused, license.Detail ?? "Apple refused.") : null;
            }
        }
        else SetState(row, AssignmentStates.Pending, null, null);
        var delivered = (await delivery.DeliverAsync(content, [userId], assignmentId + ":" + row.GetString("ReservationKey"), cancellationToken))[userId];
        row["CommandUuid"] = delivered.CommandUuid;
        row["Note"] = delivered.Note;
        await store.SaveAsync(row, cancellationToken);
        logger.LogInformation("Assigned {ContentId} to user {UserId}: {State}", content.Id, userId, row.GetString("State"));
        return null;
    }

    /// <summary>Takes the assignment's entries off the item's waiting list (exhausted POST, revoke).</summary>
    internal async Task WithdrawWaitingAsync(string contentId, string owner, CancellationToken cancellationToken)
    {
        foreach (var entry in await ledger.GetWaitingAsync(contentId, cancellationToken))
            if (entry.Owner == owner) await ledger.RemoveWaitingAsync(contentId, entry, cancellationToken);
    }

    TableEntity NewRow(string userId, UserContent content, TableEntity? existing)
    {
        var now = time.GetUtcNow();
        var c = content.Content;
        var row = new TableEntity(AssignmentStore.PartitionFor(TargetKinds.User, userId), c.RowKey)
        {
            ["AssignmentId"] = AssignmentStore.AssignmentId(TargetKinds.User, userId, c.RowKey), ["TargetKind"] = TargetKinds.User, ["TargetId"] = userId,
            ["ContentKind"] = content.Kind.ToString(), ["InstallMode"] = content.Mode, ["LicenseConsumed"] = false,
            ["CreatedAt"] = existing?.GetDateTimeOffset("CreatedAt") ?? now, ["UpdatedAt"] = now,
            ["ReservationKey"] = $"{now.UtcTicks}",
        };
        foreach (var name in (string[])["LocationUId", "AdamId", "PricingParam", "BundleId", "PersistentId"])
            if (c.GetString(name) is { } value) row[name] = value;
        return row;
    }

    internal static void SetState(TableEntity row, string state, string? reason, string? detail)
    {
        row["State"] = state;
        row["Reason"] = reason;
        row["Detail"] = detail;
        if (detail is not null) row["Note"] = detail;
    }

    internal static Refusal Exhausted(LedgerEntry ledger) => new(ProblemCodes.LicenseExhausted,
        $"No license left: total {ledger.Counts.Total}, assigned {ledger.Counts.Assigned}, reserved {ledger.Counts.Reserved}, in use elsewhere {ledger.Counts.External}.");
}
