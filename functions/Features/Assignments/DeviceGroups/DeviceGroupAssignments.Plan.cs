using ManagedDistribution.Features.Assignments.Members;
using ManagedDistribution.Features.Directory;
using ManagedDistribution.Features.Licenses;
using ManagedDistribution.Features.LocationTokens;
using ManagedDistribution.Platform.Http;
using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Assignments.DeviceGroups;

public sealed partial class DeviceGroupAssignments
{
    const int PreviewIds = 20;

    /// <summary>What <see cref="AssignAsync"/> would do, changing nothing.</summary>
    public async Task<(DeviceGroupAssignmentPreview? Preview, Refusal? NotFound)> PreviewAsync(string groupId, AssignmentInput input, CancellationToken cancellationToken)
    {
        var (context, refusal, isNew) = await PlanAsync(groupId, input, cancellationToken);
        if (context is null && refusal!.Problem.Status is 400 or 404) return (null, refusal);
        var contentId = input.ContentId!;
        var all = await licensing.ReadMembersAsync(groupId, cancellationToken);
        if (context is null)
            return (new(groupId, contentId, input.InstallMode ?? InstallModes.Automatic, all.Count, 0, 0, null, 0, [], refusal!.Problem.Code, refusal.Reason, false), null);

        var leftOut = new List<(GroupMember Member, string Reason)>();
        var eligible = new List<GroupMember>();
        foreach (var member in all)
        {
            if (MemberRules.Check(member.Device, context.Kind, context.Content) is { } why) leftOut.Add((member, why.Reason));
            else eligible.Add(member);
        }
        int? available = null;
        var held = 0;
        var wouldLicense = eligible.Count;
        if (context.NeedsLicense)
        {
            var targets = await licensing.TargetRowsAsync(context.ContentId, [.. eligible.Select(m => m.Device!.SerialNumber!)], cancellationToken);
            var needing = eligible.Where(m => targets.GetValueOrDefault(m.Device!.SerialNumber!) is not { State: LicenseState.Reserved or LicenseState.Committed }).ToList();
            held = eligible.Count - needing.Count;
            available = (await ledger.GetAsync(context.ContentId, cancellationToken))?.Counts.Available ?? 0;
            wouldLicense = Math.Min(needing.Count, available.Value);
            leftOut.AddRange(needing.Skip(wouldLicense).Select(m => (m, MemberReasons.NoLicense)));
        }
        var groupsOut = leftOut.GroupBy(l => l.Reason, StringComparer.Ordinal)
            .Select(g => new LeftOutGroup(g.Key, g.Count(), [.. g.Take(PreviewIds).Select(l => l.Member.DeviceId)])).ToList();
        return (new(groupId, context.ContentId, context.Mode, all.Count, context.NeedsLicense ? wouldLicense : eligible.Count,
            context.NeedsLicense ? wouldLicense : 0, available, held, groupsOut, null, null, !isNew), null);
    }

    /// <summary>The group-level checks; on success the context with the existing row or a new one (not yet saved).</summary>
    async Task<(GroupContext? Context, Refusal? Refusal, bool IsNew)> PlanAsync(string groupId, AssignmentInput input, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(input.ContentId))
            return (null, new(ProblemCodes.Validation, "contentId is required."), false);
        if (input.InstallMode is not (null or InstallModes.Automatic or InstallModes.Manual))
            return (null, new(ProblemCodes.Validation, "installMode must be 'automatic' or 'manual'."), false);
        if (await groups.GetAsync(GroupKind.Device, groupId, cancellationToken) is null)
            return (null, new(ProblemCodes.NotFound, "No device group has that id."), false);
        if (await catalog.GetAsync(input.ContentId, cancellationToken) is not { } content)
            return (null, new(ProblemCodes.NotFound, "No catalogue item has that contentId."), false);
        var kind = AssignmentRules.KindOf(content);
        if (MemberRules.CheckGroup(kind, content) is { } refusal) return (null, refusal, false);
        var existing = await store.GetAsync(TargetKinds.DeviceGroup, groupId, content.RowKey, cancellationToken);
        var row = existing ?? NewRow(groupId, content, kind, AssignmentRules.EffectiveMode(kind, input.InstallMode));
        var context = await contexts.ForAsync(groupId, content, row, cancellationToken);
        if (kind == ContentKind.VppApp && existing?.GetString("State") != GroupAssignmentStates.Active)
        {
            if (context.Token is null)
                return (null, new(ProblemCodes.TokenMissing, "The location token this purchased item belongs to is not installed (R4)."), false);
            if (!context.Token.Health.AllowsWrites())
                return (null, new(ProblemCodes.TokenMissing, $"The location token is {context.Token.Health}: licenses of this location cannot be assigned."), false);
        }
        return (context, null, existing is null);
    }

    TableEntity NewRow(string groupId, TableEntity content, ContentKind kind, string mode)
    {
        var now = time.GetUtcNow();
        var assignmentId = AssignmentStore.AssignmentId(TargetKinds.DeviceGroup, groupId, content.RowKey);
        var row = new TableEntity(AssignmentStore.PartitionFor(TargetKinds.DeviceGroup, groupId), content.RowKey)
        {
            ["AssignmentId"] = assignmentId, ["TargetKind"] = TargetKinds.DeviceGroup, ["TargetId"] = groupId,
            ["ContentKind"] = kind.ToString(), ["InstallMode"] = mode, ["State"] = GroupAssignmentStates.Assigning,
            ["CreatedAt"] = now, ["UpdatedAt"] = now, ["ReservationKey"] = $"{assignmentId}:{now.UtcTicks}",
        };
        foreach (var name in (string[])["LocationUId", "AdamId", "PricingParam", "BundleId", "PersistentId"])
            if (content.GetString(name) is { } value) row[name] = value;
        return row;
    }
}
