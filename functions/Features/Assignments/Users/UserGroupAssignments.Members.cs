using ManagedDistribution.Features.Assignments.Members;
using ManagedDistribution.Features.Directory;
using ManagedDistribution.Features.Licenses;
using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Assignments.Users;

public sealed partial class UserGroupAssignments
{
    /// <summary>
    /// Serves members of one group assignment: internal content → licensed (no license involved);
    /// purchased content → members not enrolled pending / user-not-enrolled, the enrolled ones in
    /// enrolment order through ONE UpTo reservation; then the licensed ones are delivered and
    /// every member row is written (100 per transaction). Null, or the ledger's refusal (nothing written).
    /// <paramref name="runKey"/> (a workflow chunk) keys the install commands so that a redelivery re-finds them.
    /// </summary>
    internal async Task<Refusal?> ServeMembersAsync(TableEntity row, UserContent content, IReadOnlyCollection<string> userIds,
        string? runKey, CancellationToken cancellationToken)
    {
        var groupId = row.GetString("TargetId")!;
        var owner = row.GetString("AssignmentId")!;
        var now = time.GetUtcNow();
        var rows = new Dictionary<string, AssignmentMember>(StringComparer.Ordinal);
        AssignmentMember Member(string userId, string state, string? reason, string? detail, long? order) =>
            new(TargetKinds.UserGroup, groupId, content.Id, userId, state, reason, now) { Detail = detail, Order = order };
        string key;
        if (!content.IsPurchased)
        {
            foreach (var userId in userIds) rows[userId] = Member(userId, MemberStates.Licensed, null, null, null);
            key = $"{owner}:{runKey ?? now.UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
        }
        else
        {
            var standings = await reader.StandingsAsync(userIds, cancellationToken);
            foreach (var s in standings.Where(s => !s.Enrolled))
                rows[s.UserId] = Member(s.UserId, MemberStates.Pending, MemberReasons.UserNotEnrolled, s.NotEnrolledDetail, null);
            var enrolled = standings.Where(s => s.Enrolled).ToList();
            var run = await licenser.LicenseAsync(content, owner, [.. enrolled.Select(s => s.UserId)], ReservationMode.UpTo, cancellationToken);
            if (run.Refusal is { } refusal) return refusal;
            foreach (var s in enrolled)
            {
                var license = run.Users[s.UserId];
                rows[s.UserId] = Member(s.UserId, license.State, license.Reason, license.Detail, s.EnrolledAt?.UtcTicks);
            }
            key = runKey is not null ? $"{owner}:{runKey}" : run.ReservationKey ?? $"{owner}:{now.UtcTicks}";
        }
        var licensed = rows.Values.Where(m => m.State == MemberStates.Licensed).Select(m => m.MemberId).ToList();
        var delivered = await delivery.DeliverAsync(content, licensed, key + ":install", cancellationToken);
        foreach (var (userId, d) in delivered)
            rows[userId] = rows[userId] with { CommandUuid = d.CommandUuid, Detail = rows[userId].Detail ?? d.Note };
        await members.SaveManyAsync(rows.Values, cancellationToken);
        await RefreshStateAsync(row, cancellationToken);
        return null;
    }

    /// <summary>The row's state from its members: pending while any member waits, else licensed.</summary>
    async Task RefreshStateAsync(TableEntity row, CancellationToken cancellationToken)
    {
        var counts = await members.CountByStateAsync(TargetKinds.UserGroup, row.GetString("TargetId")!, row.RowKey, cancellationToken);
        row["State"] = counts.GetValueOrDefault(MemberStates.Pending) > 0 ? AssignmentStates.Pending : AssignmentStates.Licensed;
        row["LicenseConsumed"] = UserLicensing.IsPurchased(UserLicensing.KindOfRow(row))
            && counts.GetValueOrDefault(MemberStates.Licensed) + counts.GetValueOrDefault(MemberStates.Installed) > 0;
        row["UpdatedAt"] = time.GetUtcNow();
        await store.SaveAsync(row, cancellationToken);
    }

    /// <summary>Members joined: each of the group's assignments serves those without a live member row (idempotent).</summary>
    internal Task MembersJoinedAsync(string groupId, IReadOnlyCollection<string> userIds, CancellationToken cancellationToken) =>
        MembersJoinedAsync(groupId, userIds, null, cancellationToken);

    /// <summary>As above; <paramref name="runKey"/> (stable across redeliveries of a workflow chunk) keys the install commands.</summary>
    internal async Task MembersJoinedAsync(string groupId, IReadOnlyCollection<string> userIds, string? runKey, CancellationToken cancellationToken)
    {
        foreach (var row in await store.ListAsync(TargetKinds.UserGroup, groupId, cancellationToken))
        {
            var fresh = new List<string>();
            foreach (var userId in userIds)
                if (await members.GetAsync(TargetKinds.UserGroup, groupId, row.RowKey, userId, cancellationToken)
                    is null or { State: MemberStates.Revoked or MemberStates.Failed }) fresh.Add(userId);
            if (fresh.Count > 0 && await reader.ReadForRowAsync(row, cancellationToken) is { } content
                && (!content.IsPurchased || UserContentReader.TokenRefusal(content.Token) is null))
                await ServeMembersAsync(row, content, fresh, runKey, cancellationToken);
        }
    }

    /// <summary>
    /// Members left: they lose each of the group's items unless they still have it through a direct
    /// assignment or another group (the license then moves there). Purchased apps are disassociated
    /// and returned; books stay licensed at Apple (R2), the member row says so.
    /// </summary>
    internal async Task MembersLeftAsync(string groupId, IReadOnlyCollection<string> userIds, CancellationToken cancellationToken)
    {
        foreach (var row in await store.ListAsync(TargetKinds.UserGroup, groupId, cancellationToken))
        {
            var leaving = new List<AssignmentMember>();
            foreach (var userId in userIds)
                if (await members.GetAsync(TargetKinds.UserGroup, groupId, row.RowKey, userId, cancellationToken) is { State: not MemberStates.Revoked } m)
                    leaving.Add(m);
            if (leaving.Count > 0) await TakeAwayAsync(row, leaving, MemberReasons.LeftGroup, cancellationToken);
        }
    }

    /// <summary>Takes the item from these members (left, assignment deleted); returns Apple's refusals by user.</summary>
    async Task<IReadOnlyDictionary<string, string>> TakeAwayAsync(TableEntity row, IReadOnlyList<AssignmentMember> leaving, string reason,
        CancellationToken cancellationToken)
    {
        var kind = UserLicensing.KindOfRow(row);
        var owner = row.GetString("AssignmentId")!;
        var toRevoke = new List<string>();
        var details = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var m in leaving.Where(m => m.State is MemberStates.Licensed or MemberStates.Installed))
        {
            if (!UserLicensing.IsPurchased(kind)) continue;
            if (await entitlements.OtherAssignmentAsync(m.MemberId, row.RowKey, owner, cancellationToken) is { } other)
            {
                await entitlements.TransferAsync(m.MemberId, row.RowKey, other, cancellationToken);
                details[m.MemberId] = $"The user keeps the license through {other}.";
            }
            else if (kind == ContentKind.VppBook) details[m.MemberId] = "Purchased books cannot be revoked (R2): the user keeps the book.";
            else toRevoke.Add(m.MemberId);
        }
        var refused = await revoker.RevokeAsync(row, toRevoke, cancellationToken);
        // Whoever lost the item (not kept through another assignment, not a book) has it removed where we installed it.
        foreach (var m in leaving.Where(m => m.CommandUuid is not null && !refused.ContainsKey(m.MemberId) && !details.ContainsKey(m.MemberId)))
            await RemoveInstalledAsync(kind, row, m, cancellationToken);
        var now = time.GetUtcNow();
        await members.SaveManyAsync(leaving.Where(m => !refused.ContainsKey(m.MemberId))
            .Select(m => m with { State = MemberStates.Revoked, Reason = reason, Detail = details.GetValueOrDefault(m.MemberId), UpdatedAt = now }), cancellationToken);
        await RefreshStateAsync(row, cancellationToken);
        return refused;
    }

    /// <summary>The removal command for one member, named by the member's own install command.</summary>
    async Task RemoveInstalledAsync(ContentKind kind, TableEntity row, AssignmentMember member, CancellationToken cancellationToken)
    {
        var groupCommand = row.GetString("CommandUuid");
        row["CommandUuid"] = member.CommandUuid;
        try
        {
            await delivery.RemoveAsync(kind, row, member.MemberId, cancellationToken);
        }
        finally
        {
            row["CommandUuid"] = groupCommand;
        }
    }
}
