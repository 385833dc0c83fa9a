using ManagedDistribution.Features.Assignments.Members;
using ManagedDistribution.Features.Assignments.Waiting;
using ManagedDistribution.Features.Devices;
using ManagedDistribution.Features.Devices.Commands;
using ManagedDistribution.Features.Licenses;

namespace ManagedDistribution.Features.Assignments.DeviceGroups;

/// <summary>What a revocation did: licenses returned (or released), handed over to another assignment, removals queued, refused by Apple.</summary>
public sealed record RevokeOutcome(int Returned, int HandedOver, int Removals, int Refused);

/// <summary>
/// Takes an item away from members of a device group assignment (assignment deleted, members
/// left the group). A member's device keeps the license when it still has the item through a
/// direct device assignment or another device group: the license (target row) is handed over to
/// that assignment and nothing is removed. Otherwise the license is disassociated at Apple (in
/// <c>maxSerialNumbers</c> batches) and returned to the reservation it came from, and the
/// content is removed from devices we installed it on. Freed licenses go to the waiting list.
/// </summary>
public sealed class GroupRevocation(
    AssignmentStore store, LicenseLedger ledger, AppleDeviceLicenses apple, GroupLicensing licensing,
    GroupMembers groupMembers, CommandQueue commands, AssignmentMemberStore members, WaitingListServer waiting, TimeProvider time)
{
    /// <summary>Members revoked within the caller's request; more go to a workflow (<see cref="GroupRevocationWorkflow"/>).</summary>
    public const int InlineLimit = 100;

    /// <summary>Inline revocation: one run, its step keys named after the time it started.</summary>
    public Task<RevokeOutcome> RevokeAsync(GroupContext context, IReadOnlyList<AssignmentMember> revoked, string reason, CancellationToken cancellationToken) =>
        RevokeAsync(context, revoked, reason, $"revoke-{time.GetUtcNow().UtcTicks}", null, cancellationToken);

    /// <summary>
    /// Revokes <paramref name="revoked"/> (members already revoked are skipped). <paramref name="stepKey"/>
    /// names this run in the ledger's settlement steps (<c>{stepKey}:release</c>, <c>{stepKey}:return-{k}</c>)
    /// and the removal commands' key: the workflow passes one per batch that is the same on every
    /// attempt, so a batch redone after a crash returns nothing twice (Apple gives the redo a new
    /// event id, the ledger sees the same step). <paramref name="cover"/>: coverage already read
    /// for a larger set (<see cref="CoverageAsync"/>), or null to read it here.
    /// </summary>
    public async Task<RevokeOutcome> RevokeAsync(GroupContext context, IReadOnlyList<AssignmentMember> revoked, string reason, string stepKey,
        IReadOnlyDictionary<string, string>? cover, CancellationToken cancellationToken)
    {
        var live = revoked.Where(m => m.State != MemberStates.Revoked).ToList();
        if (live.Count == 0) return new(0, 0, 0, 0);
        cover ??= await CoverageAsync(context, live.Select(m => m.MemberId).ToHashSet(StringComparer.Ordinal), cancellationToken);
        var (returned, handedOver, refused) = context.NeedsLicense ? await SettleLicensesAsync(context, live, cover, stepKey, cancellationToken) : (0, 0, new HashSet<string>());
        var removals = await QueueRemovalsAsync(context, live.Where(m => !cover.ContainsKey(m.MemberId) && m.CommandUuid is not null).ToList(), stepKey, cancellationToken);
        var now = time.GetUtcNow();
        await members.SaveManyAsync(live.Where(m => !refused.Contains(m.MemberId)).Select(m => m with
        {
            State = MemberStates.Revoked, Reason = reason, UpdatedAt = now,
            Detail = cover.TryGetValue(m.MemberId, out var other) ? $"The device keeps the item through {other}." : null,
        }), cancellationToken);
        if (returned > 0) await waiting.ServeAsync(context.ContentId, cancellationToken);
        return new(returned, handedOver, removals, refused.Count);
    }

    /// <summary>The member rows of these ids (point reads for a few, one scan of the assignment's members for many).</summary>
    public async Task<Dictionary<string, AssignmentMember>> MemberRowsAsync(GroupContext context, IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        var found = new System.Collections.Concurrent.ConcurrentDictionary<string, AssignmentMember>(StringComparer.Ordinal);
        if (ids.Count <= GroupMembers.PointReadLimit)
            await Platform.Storage.TableBulk.ForEachAsync(ids.Distinct(StringComparer.Ordinal), async (id, ct) =>
            {
                if (await members.GetAsync(TargetKinds.DeviceGroup, context.GroupId, context.ContentId, id, ct) is { } m) found[id] = m;
            }, cancellationToken);
        else
        {
            var wanted = ids.ToHashSet(StringComparer.Ordinal);
            await foreach (var m in members.AllAsync(TargetKinds.DeviceGroup, context.GroupId, context.ContentId, cancellationToken: cancellationToken))
                if (wanted.Contains(m.MemberId)) found[m.MemberId] = m;
        }
        return new(found, StringComparer.Ordinal);
    }

    /// <summary>Takes the assignment's entries off the item's waiting list (the assignment is gone).</summary>
    public async Task RemoveWaitingAsync(GroupContext context, CancellationToken cancellationToken)
    {
        if (!context.NeedsLicense) return;
        foreach (var entry in await ledger.GetWaitingAsync(context.ContentId, cancellationToken))
            if (entry.Owner == context.AssignmentId) await ledger.RemoveWaitingAsync(context.ContentId, entry, cancellationToken);
    }

    /// <summary>Device id → another assignment through which the device still has the item.</summary>
    public async Task<IReadOnlyDictionary<string, string>> CoverageAsync(GroupContext context, HashSet<string> deviceIds, CancellationToken cancellationToken)
    {
        var cover = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var row in await store.ByContentAsync(context.ContentId, cancellationToken))
        {
            var (kind, targetId) = AssignmentStore.TargetOf(row);
            var other = AssignmentStore.AssignmentId(kind, targetId, context.ContentId);
            if (kind == TargetKinds.Device && deviceIds.Contains(targetId) && row.GetString("State") is not (AssignmentStates.Failed or AssignmentStates.Revoked))
                cover[targetId] = other;
            else if (kind == TargetKinds.DeviceGroup && targetId != context.GroupId)
                foreach (var id in await groupMembers.MemberIdsAsync(targetId, cancellationToken))
                    if (deviceIds.Contains(id)) cover.TryAdd(id, other);
        }
        return cover;
    }

    async Task<(int Returned, int HandedOver, HashSet<string> Refused)> SettleLicensesAsync(
        GroupContext context, List<AssignmentMember> live, IReadOnlyDictionary<string, string> cover, string stepKey, CancellationToken cancellationToken)
    {
        var bySerial = live.Where(m => m.SerialNumber is not null).ToDictionary(m => m.SerialNumber!, StringComparer.Ordinal);
        var targets = await licensing.TargetRowsAsync(context.ContentId, [.. bySerial.Keys], cancellationToken);
        var ours = targets.Values.Where(t => t.Owner == context.AssignmentId).ToList();
        var handOver = ours.Where(t => t.State is LicenseState.Reserved or LicenseState.Committed && cover.ContainsKey(bySerial[t.Target.Id].MemberId)).ToList();
        foreach (var group in handOver.GroupBy(t => (Owner: cover[bySerial[t.Target.Id].MemberId], t.ReservationKey, t.State)))
            await ledger.SetTargetStatesAsync(context.ContentId, group.Select(t => t.Target), group.Key.State, group.Key.Owner, group.Key.ReservationKey, cancellationToken);
        var rest = ours.Except(handOver).ToList();
        foreach (var group in rest.Where(t => t.State == LicenseState.Waiting).GroupBy(t => t.ReservationKey))
            await ledger.SetTargetStatesAsync(context.ContentId, group.Select(t => t.Target), LicenseState.Released, context.AssignmentId, group.Key, cancellationToken);
        var released = 0;
        foreach (var group in rest.Where(t => t.State == LicenseState.Reserved).GroupBy(t => t.ReservationKey))
        {
            // Reserved, never confirmed by Apple (a batch still to run): no Apple call, the reservation gives it back.
            var settled = await ledger.ReleaseAsync(context.ContentId, group.Key, group.Count(), $"{stepKey}:release", cancellationToken);
            released += settled.Moved;
            await ledger.SetTargetStatesAsync(context.ContentId, group.Select(t => t.Target), LicenseState.Released, context.AssignmentId, group.Key, cancellationToken);
        }
        // Released by this same step before (a redelivery after a crash before the count): returned again under the same step, a no-op if it was.
        var (returned, refused) = await ReturnCommittedAsync(context,
            [.. rest.Where(t => t.State == LicenseState.Committed || t.ReturnStep?.StartsWith(stepKey + ":return-", StringComparison.Ordinal) == true)],
            stepKey, cancellationToken);
        return (returned + released, handOver.Count, [.. refused.Select(s => bySerial[s].MemberId)]);
    }

    /// <summary>Disassociates committed licenses at Apple in batches, returns each to its reservation; the serials Apple refused.</summary>
    /// <param name="stepKey">Names the settlements (<c>{stepKey}:return-{k}</c>, k = Apple batch); null: named after Apple's event ids.</param>
    public async Task<(int Returned, List<string> Refused)> ReturnCommittedAsync(GroupContext context, IReadOnlyList<LicenseTargetRow> committed,
        string? stepKey, CancellationToken cancellationToken)
    {
        var returned = 0;
        var refused = new List<string>();
        var k = 0;
        foreach (var batch in committed.Chunk(await apple.MaxSerialsAsync(cancellationToken)))
        {
            var step = stepKey is null ? null : $"{stepKey}:return-{k++}";
            var outcome = await apple.ManageAsync(context.Token!, context.Asset, [.. batch.Select(t => t.Target.Id)], associate: false, cancellationToken);
            refused.AddRange(outcome.Failed.Keys);
            var returnStep = step ?? "return-" + outcome.EventKey;
            // Only the rows this step moved: a revoker racing this one for the same targets returns the others.
            var moved = await ledger.ReleaseTargetsOnceAsync(context.ContentId, [.. batch.Where(t => !outcome.Failed.ContainsKey(t.Target.Id))], returnStep,
                cancellationToken);
            foreach (var group in moved.GroupBy(t => t.ReservationKey))
                returned += (await ledger.ReturnAsync(context.ContentId, group.Key, group.Count(), returnStep, cancellationToken)).Moved;
        }
        return (returned, refused);
    }

    async Task<int> QueueRemovalsAsync(GroupContext context, List<AssignmentMember> installedByUs, string stepKey, CancellationToken cancellationToken)
    {
        if (installedByUs.Count == 0 || AssignmentCommands.Remove(context.Kind, context.Row) is not { } remove) return 0;
        var devices = await groupMembers.DevicesAsync([.. installedByUs.Select(m => m.MemberId)], cancellationToken);
        var channels = installedByUs.Where(m => devices.GetValueOrDefault(m.MemberId)?.IsEnrolled == true).Select(m => new ChannelId(m.MemberId)).ToList();
        if (channels.Count == 0) return 0;
        await commands.EnqueueManyAsync(channels, remove, LicenseBatch.Source, $"{context.AssignmentId}:remove:{stepKey}", cancellationToken);
        return channels.Count;
    }
}
