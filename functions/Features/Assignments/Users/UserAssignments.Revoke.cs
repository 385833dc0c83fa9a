using ManagedDistribution.Platform.Http;
using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Assignments.Users;

public sealed partial class UserAssignments
{
    /// <summary>
    /// Revokes a user's assignment. A licensed purchased book → 409 irrevocable (R2; Apple 9706):
    /// kept. A licensed purchased app is disassociated at Apple and its license returned, unless the
    /// user still has the app through a user group (the license then stays and moves to that
    /// assignment). A pending assignment leaves the waiting list. Null when done.
    /// </summary>
    public async Task<Refusal?> RevokeAsync(string userId, string contentId, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(TargetKinds.User, userId, contentId, cancellationToken) is not { } row)
            return new(ProblemCodes.NotFound, "The user has no assignment of that content.");
        var kind = UserLicensing.KindOfRow(row);
        var assignmentId = row.GetString("AssignmentId")!;
        var licensed = row.GetBoolean("LicenseConsumed") == true && row.GetString("State") is AssignmentStates.Licensed or AssignmentStates.Installed;
        if (kind == ContentKind.VppBook && licensed)
            return new(ProblemCodes.Irrevocable, "Purchased books can never be revoked (R2): the user keeps the book's license.");
        var other = await entitlements.OtherAssignmentAsync(userId, contentId, assignmentId, cancellationToken);
        if (kind == ContentKind.VppApp && licensed)
        {
            if (other is not null) await entitlements.TransferAsync(userId, contentId, other, cancellationToken);
            else if ((await revoker.RevokeAsync(row, [userId], cancellationToken)).TryGetValue(userId, out var failure))
                return new(DeviceAssignments.AppleRefused, failure);
        }
        await WithdrawWaitingAsync(contentId, assignmentId, cancellationToken);
        if (other is null) await delivery.RemoveAsync(kind, row, userId, cancellationToken);
        await store.DeleteAsync(TargetKinds.User, userId, contentId, cancellationToken);
        logger.LogInformation("Revoked {ContentId} from user {UserId}", contentId, userId);
        return null;
    }

    /// <summary>
    /// The user was retired (Apple released their app licenses): licensed purchased apps become
    /// revoked / user-retired and their licenses return to the ledger. Books stay licensed (never
    /// returned). Rows already revoked are skipped, so a replay changes nothing.
    /// </summary>
    internal async Task RetireAsync(string userId, CancellationToken cancellationToken)
    {
        foreach (var row in await store.ListAsync(TargetKinds.User, userId, cancellationToken))
        {
            if (UserLicensing.KindOfRow(row) != ContentKind.VppApp) continue;
            var waiting = row.GetString("State") == AssignmentStates.Pending && row.GetString("Reason") == Members.MemberReasons.NoLicense;
            if (waiting) await WithdrawWaitingAsync(row.RowKey, row.GetString("AssignmentId")!, cancellationToken);
            else if (row.GetString("State") is not (AssignmentStates.Licensed or AssignmentStates.Installed)) continue;
            await revoker.ReturnAsync(row.RowKey, [userId], $"retire:{userId}", cancellationToken);
            SetState(row, AssignmentStates.Revoked, UserLicensing.UserRetired, "The user was retired from managed distribution: Apple released the license.");
            row["LicenseConsumed"] = false;
            row["UpdatedAt"] = time.GetUtcNow();
            await store.SaveAsync(row, cancellationToken);
        }
    }

    /// <summary>
    /// The user enrolled: purchased-content assignments waiting for that (pending / user-not-enrolled,
    /// or revoked / user-retired) are licensed and delivered; a shortfall leaves them pending /
    /// no-license-left on the waiting list.
    /// </summary>
    internal async Task ActivatePendingAsync(string userId, CancellationToken cancellationToken)
    {
        foreach (var row in await store.ListAsync(TargetKinds.User, userId, cancellationToken))
        {
            var reason = row.GetString("Reason");
            if (!(row.GetString("State") == AssignmentStates.Pending && reason == Members.MemberReasons.UserNotEnrolled
                  || row.GetString("State") == AssignmentStates.Revoked && reason == UserLicensing.UserRetired)) continue;
            await ActivateExistingAsync(row, cancellationToken);
        }
    }

    /// <summary>Activates a stored assignment again (enrolment, waiting list); false when its content left the catalogue.</summary>
    internal async Task<bool> ActivateExistingAsync(TableEntity row, CancellationToken cancellationToken)
    {
        if (await reader.ReadForRowAsync(row, cancellationToken) is not { } content) return false;
        if (UserContentReader.TokenRefusal(content.Token) is not null) return false;
        await ActivateAsync(row, content, Licenses.ReservationMode.UpTo, cancellationToken);
        return true;
    }
}
