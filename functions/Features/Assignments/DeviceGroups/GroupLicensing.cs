using ManagedDistribution.Features.Assignments.Members;
using ManagedDistribution.Features.Licenses;
using ManagedDistribution.Platform.Http;

namespace ManagedDistribution.Features.Assignments.DeviceGroups;

/// <summary>What one serve did: licensed now or scheduled, waiting for a license, left out, already licensed elsewhere.</summary>
public sealed record ServeResult(int Granted, int Waiting, int LeftOut, int Held, string? TaskId, Refusal? Refusal = null);

/// <summary>
/// Serves members of a device group assignment (the whole group at assignment time, joiners,
/// re-enrolled devices, waiting members): rules per member, members already holding a license
/// for the item skipped (one per device, whoever gave it), ONE UpTo reservation for the rest in
/// join order (R17: the first ones get licenses, the others wait), member rows for everyone left
/// out, then the granted members in batches: inline up to <see cref="InlineLimit"/>, else a
/// workflow (<see cref="GroupWorkflow"/>) so a 50,000-member group never runs inside one request.
/// </summary>
public sealed class GroupLicensing(
    GroupMembers groupMembers, AssignmentMemberStore members, LicenseLedger ledger, LicenseBatch batches, AppleDeviceLicenses apple,
    GroupWorkflow workflow, IServiceProvider services, TimeProvider time, ILogger<GroupLicensing> logger)
{
    /// <summary>Granted members licensed within the caller's request; more go to a workflow.</summary>
    public const int InlineLimit = 100;
    const int InternalBatchSize = 500;

    /// <summary>Every member of the group in join order, with device rows.</summary>
    public Task<IReadOnlyList<GroupMember>> ReadMembersAsync(string groupId, CancellationToken cancellationToken) =>
        groupMembers.ReadAsync(groupId, null, cancellationToken);

    /// <param name="only">Members to serve (null: every member of the group).</param>
    /// <param name="fromWaitingList">Serving the waiting list: a shortfall keeps the assignment's earlier waiting entry (its place in line) instead of a new one.</param>
    public async Task<ServeResult> ServeAsync(GroupContext context, IReadOnlyCollection<string>? only, string reservationKey, bool fromWaitingList,
        CancellationToken cancellationToken)
    {
        var phases = new PhaseClock();
        var membershipVersion = await groupMembers.MembershipVersionAsync(context.GroupId, cancellationToken); // before the members: DepartedMembers
        var all = await groupMembers.ReadAsync(context.GroupId, only, phases, cancellationToken);
        var now = time.GetUtcNow();
        var rows = new List<AssignmentMember>();
        var eligible = new List<GroupMember>();
        var serials = new HashSet<string>(StringComparer.Ordinal);
        foreach (var member in all)
        {
            var leftOut = MemberRules.Check(member.Device, context.Kind, context.Content);
            if (leftOut is null && context.NeedsLicense && !serials.Add(member.Device!.SerialNumber!))
                leftOut = new(MemberReasons.NotEligible, "Another member has the same serial number; Apple licenses a serial once.");
            if (leftOut is null) eligible.Add(member);
            else rows.Add(Row(context, member, MemberStates.Pending, leftOut.Reason, now) with { Detail = leftOut.Detail });
        }
        phases.Lap("rules");
        var (needing, held) = context.NeedsLicense ? await SplitHeldAsync(context, eligible, reservationKey, cancellationToken) : (eligible, []);
        phases.Lap("held");
        rows.AddRange(held.Select(h => Row(context, h.Member, MemberStates.Licensed, null, now) with { Detail = $"License held by {h.Owner}." }));

        var granted = needing.Count;
        if (context.NeedsLicense && needing.Count > 0)
        {
            // A count only: the granted members' target rows are written once Apple confirmed them (LicenseBatch).
            var reservation = await ledger.ReserveAsync(new ReservationRequest(context.ContentId, needing.Count, context.AssignmentId, reservationKey,
                ReservationMode.UpTo, SettledByOwner: true), cancellationToken);
            if (reservation.Outcome == ReservationOutcome.UnknownItem)
                return new(0, 0, 0, 0, null, new(ProblemCodes.Conflict, "The purchased item has no license ledger yet; sync the catalogue (POST /api/content/sync)."));
            if (reservation.Outcome == ReservationOutcome.Contended)
                return new(0, 0, 0, 0, null, new(ProblemCodes.Unavailable, "Too many concurrent assignments of this item; try again."));
            granted = reservation.Granted;
            if (fromWaitingList && reservation is { Waiting: > 0, Replayed: false, Record: { } record })
                await ledger.RemoveWaitingAsync(context.ContentId, new WaitingEntry(reservationKey, context.AssignmentId, record.Waiting, record.RequestedAt),
                    cancellationToken);
        }
        phases.Lap("reserve");
        rows.AddRange(needing.Skip(granted).Select(m => Row(context, m, MemberStates.Pending, MemberReasons.NoLicense, now) with
        {
            Detail = "Waiting for a license (first come, first served).",
        }));
        await members.SaveManyAsync(rows, cancellationToken);
        phases.Lap("leftOutRows");

        var served = needing.Take(granted).Select(m => new BatchMember(m.DeviceId, m.Device!.SerialNumber)).ToList();
        var size = context.NeedsLicense ? Math.Min(await apple.MaxSerialsAsync(cancellationToken), LicenseBatchSize) : InternalBatchSize;
        var chunks = served.Chunk(size).ToList();
        string? taskId = null;
        if (served.Count > InlineLimit) taskId = await workflow.StartAsync(context, reservationKey, chunks, membershipVersion, cancellationToken);
        else if (chunks.Count > 0)
        {
            for (var i = 0; i < chunks.Count; i++) await batches.RunAsync(context, reservationKey, i, chunks[i], cancellationToken);
            // Resolved here: DepartedMembers revokes through GroupRevocation, which serves through this class.
            await services.GetRequiredService<DepartedMembers>().RevokeAsync(context, [.. served.Select(m => m.DeviceId)], reservationKey + ":inline",
                time.GetUtcNow(), membershipVersion, cancellationToken);
        }
        phases.Lap(taskId is null ? "batches" : "workflowStart");
        if (all.Count > InlineLimit) logger.LogInformation("Serve of {AssignmentId} timings: {Phases}", context.AssignmentId, phases.ToString());
        logger.LogInformation("Served {Count} members of {AssignmentId}: {Granted} licensed{Scheduled}, {Waiting} waiting, {LeftOut} left out, {Held} held elsewhere",
            all.Count, context.AssignmentId, granted, taskId is null ? "" : " (workflow " + taskId + ")", needing.Count - granted,
            all.Count - eligible.Count, held.Count);
        return new(granted, needing.Count - granted, all.Count - eligible.Count, held.Count, taskId);
    }

    /// <summary>Workflow items carry their members as text (≤ 32 K characters): 500 lines of id + serial fit.</summary>
    const int LicenseBatchSize = 500;

    /// <summary>Members whose device already has a reserved or committed license for the item (another assignment's, or an earlier serve's) are not reserved again.</summary>
    async Task<(List<GroupMember> Needing, List<(GroupMember Member, string Owner)> Held)> SplitHeldAsync(
        GroupContext context, List<GroupMember> eligible, string reservationKey, CancellationToken cancellationToken)
    {
        var targets = await TargetRowsAsync(context.ContentId, eligible.Select(m => m.Device!.SerialNumber!).ToList(), cancellationToken);
        var needing = new List<GroupMember>();
        var held = new List<(GroupMember, string)>();
        foreach (var member in eligible)
        {
            var row = targets.GetValueOrDefault(member.Device!.SerialNumber!);
            if (row is { State: LicenseState.Reserved or LicenseState.Committed } && row.ReservationKey != reservationKey) held.Add((member, row.Owner));
            else needing.Add(member);
        }
        return (needing, held);
    }

    /// <summary>The device target rows of these serials: point reads for a few, one range scan for many.</summary>
    public async Task<Dictionary<string, LicenseTargetRow>> TargetRowsAsync(string contentId, IReadOnlyList<string> serials, CancellationToken cancellationToken)
    {
        var found = new System.Collections.Concurrent.ConcurrentDictionary<string, LicenseTargetRow>(StringComparer.Ordinal);
        if (serials.Count <= GroupMembers.PointReadLimit)
            await Platform.Storage.TableBulk.ForEachAsync(serials, async (serial, ct) =>
            {
                if (await ledger.GetTargetAsync(contentId, LicenseTarget.Device(serial), ct) is { } row) found[serial] = row;
            }, cancellationToken);
        else
        {
            var wanted = new HashSet<string>(serials, StringComparer.Ordinal);
            await foreach (var row in ledger.GetTargetsAsync(contentId, cancellationToken))
                if (row.Target.Kind == LicenseTargetKind.Device && wanted.Contains(row.Target.Id)) found[row.Target.Id] = row;
        }
        return new(found, StringComparer.Ordinal);
    }

    static AssignmentMember Row(GroupContext context, GroupMember member, string state, string? reason, DateTimeOffset now) =>
        new(TargetKinds.DeviceGroup, context.GroupId, context.ContentId, member.DeviceId, state, reason, now)
        {
            SerialNumber = member.Device?.SerialNumber, Order = member.Order,
        };
}
