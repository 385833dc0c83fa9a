using ManagedDistribution.Features.AppsAndBooks;
using ManagedDistribution.Features.Catalog;
using ManagedDistribution.Features.Devices.Commands;
using ManagedDistribution.Features.Devices.Registry;
using ManagedDistribution.Features.Licenses;
using ManagedDistribution.Features.LocationTokens;
using ManagedDistribution.Platform.Http;
using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Assignments;

/// <summary>An assignment, or why there is none. <c>Created</c> is false when it already existed.</summary>
public sealed record AssignOutcome(AssignmentDto? Value, bool Created, Refusal? Refusal);

/// <summary>
/// Assigns catalogue items to single devices: rules (R1, R3, R4, R6, R7), then for purchased apps
/// one license reserved in the ledger before Apple is called (R5), associated at Apple and waited
/// for synchronously, committed on success or released on refusal; then the install command is
/// queued. Apple's refusal keeps the assignment as <c>failed</c> with Apple's reason and answers
/// 424 <c>apple-refused</c>; POST again to retry.
/// </summary>
public sealed partial class DeviceAssignments(
    DeviceStore devices, ContentStore catalog, AssignmentStore store, LicenseLedger ledger, LocationTokenStore tokens,
    AppsAndBooksClient apple, CommandQueue commands, Waiting.WaitingListServer waiting, Directory.MembershipStore memberships, TimeProvider time,
    ILogger<DeviceAssignments> logger)
{
    /// <summary>Apple refused the association or disassociation; the reason carries Apple's error.</summary>
    public static readonly ProblemType AppleRefused = new("apple-refused", 424, "Apple's Apps and Books service refused the request.");

    const string Source = InstallResults.Source;

    /// <summary>Everything the rules need, read once; <c>Refusal</c> is the first rule broken.</summary>
    sealed record Plan(DeviceRecord Device, TableEntity Content, ContentKind Kind, string Mode, LocationTokenRecord? Token,
        LedgerEntry? Ledger, TableEntity? Existing, Refusal? Refusal)
    {
        public string AssignmentId => AssignmentStore.AssignmentId(TargetKinds.Device, Device.Id, Content.RowKey);
    }

    public async Task<AssignmentList?> ListAsync(string deviceId, CancellationToken cancellationToken)
    {
        if (!await devices.ExistsAsync(deviceId, cancellationToken)) return null;
        var rows = await store.ListAsync(TargetKinds.Device, deviceId, cancellationToken);
        return new(TargetKinds.Device, deviceId, [.. rows.Select(AssignmentStore.ToDto)]);
    }

    /// <summary>What <see cref="AssignAsync"/> would do, changing nothing.</summary>
    public async Task<(AssignmentPreview? Preview, Refusal? NotFound)> PreviewAsync(string deviceId, AssignmentInput input, CancellationToken cancellationToken)
    {
        var (plan, failure) = await PlanAsync(deviceId, input, cancellationToken);
        if (plan is null) return (null, failure);
        var already = plan.Existing is { } e && e.GetString("State") != AssignmentStates.Failed;
        var needed = plan.Kind == ContentKind.VppApp && !already && await HolderAsync(plan, cancellationToken) is null ? 1 : 0;
        var available = plan.Ledger?.Counts.Available;
        var refusal = plan.Refusal ?? (needed > available ? Exhausted(plan.Ledger!) : null);
        return (new AssignmentPreview(TargetKinds.Device, deviceId, plan.Content.RowKey, plan.Mode, refusal is null, refusal is null ? needed : 0,
            available, refusal?.Problem.Code, refusal?.Reason, already), null);
    }

    public async Task<AssignOutcome> AssignAsync(string deviceId, AssignmentInput input, CancellationToken cancellationToken)
    {
        var (plan, failure) = await PlanAsync(deviceId, input, cancellationToken);
        if (plan is null) return new(null, false, failure);
        if (plan.Refusal is { } refusal) return new(null, false, refusal);
        if (plan.Existing is { } existing && existing.GetString("State") is not (AssignmentStates.Failed or AssignmentStates.Revoked))
            return new(AssignmentStore.ToDto(existing), false, null);
        var row = NewRow(plan);
        if (plan.Kind == ContentKind.VppApp)
        {
            var licensed = await LicenseAsync(plan, row, cancellationToken);
            if (licensed is not null) return new(licensed.Problem == AppleRefused ? AssignmentStore.ToDto(row) : null, false, licensed);
        }
        else row["State"] = AssignmentStates.Pending;
        if (plan.Mode == InstallModes.Automatic && AssignmentCommands.Install(plan.Kind, plan.Content) is { } install)
            row["CommandUuid"] = await commands.EnqueueAsync(new(deviceId), install, Source, row.GetString("ReservationKey"), cancellationToken);
        else row["Note"] = "Manual install mode: no install command was queued.";
        await store.SaveAsync(row, cancellationToken);
        logger.LogInformation("Assigned {ContentId} to device {DeviceId}: {State}", plan.Content.RowKey, deviceId, row.GetString("State"));
        return new(AssignmentStore.ToDto(row), true, null);
    }

    async Task<(Plan? Plan, Refusal? Failure)> PlanAsync(string deviceId, AssignmentInput input, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(input.ContentId))
            return (null, new(ProblemCodes.Validation, "contentId is required."));
        if (input.InstallMode is not (null or InstallModes.Automatic or InstallModes.Manual))
            return (null, new(ProblemCodes.Validation, "installMode must be 'automatic' or 'manual'."));
        if (await devices.GetAsync(deviceId, cancellationToken) is not { } device)
            return (null, new(ProblemCodes.NotFound, "No device has that id."));
        if (await catalog.GetAsync(input.ContentId, cancellationToken) is not { } content)
            return (null, new(ProblemCodes.NotFound, "No catalogue item has that contentId."));
        var kind = AssignmentRules.KindOf(content);
        var existing = await store.GetAsync(TargetKinds.Device, deviceId, content.RowKey, cancellationToken);
        var refusal = AssignmentRules.CheckDevice(device, content);
        LocationTokenRecord? token = null;
        LedgerEntry? entry = null;
        if (kind == ContentKind.VppApp)
        {
            token = await tokens.GetAsync(content.GetString("LocationUId") ?? "", cancellationToken);
            refusal ??= token is null ? new(ProblemCodes.TokenMissing, "The location token this purchased item belongs to is not installed (R4).")
                : !token.Health.AllowsWrites() ? new(ProblemCodes.TokenMissing, $"The location token is {token.Health}: licenses of this location cannot be assigned.")
                : null;
            entry = await ledger.GetAsync(content.RowKey, cancellationToken);
        }
        return (new Plan(device, content, kind, AssignmentRules.EffectiveMode(kind, input.InstallMode), token, entry, existing, refusal), null);
    }

    TableEntity NewRow(Plan plan)
    {
        var now = time.GetUtcNow();
        var c = plan.Content;
        var row = new TableEntity(AssignmentStore.PartitionFor(TargetKinds.Device, plan.Device.Id), c.RowKey)
        {
            ["AssignmentId"] = plan.AssignmentId, ["TargetKind"] = TargetKinds.Device, ["TargetId"] = plan.Device.Id,
            ["ContentKind"] = plan.Kind.ToString(), ["InstallMode"] = plan.Mode, ["LicenseConsumed"] = false,
            ["CreatedAt"] = plan.Existing?.GetDateTimeOffset("CreatedAt") ?? now, ["UpdatedAt"] = now,
            // A new key per attempt: an earlier attempt's record (e.g. exhausted) must not answer for this one.
            ["ReservationKey"] = $"{plan.AssignmentId}:{now.UtcTicks}",
        };
        if (plan.Device.SerialNumber is { } serial) row["SerialNumber"] = serial;
        foreach (var name in (string[])["LocationUId", "AdamId", "PricingParam", "BundleId", "PersistentId"])
            if (c.GetString(name) is { } value) row[name] = value;
        return row;
    }

    static Refusal Exhausted(LedgerEntry ledger) => new(ProblemCodes.LicenseExhausted,
        $"No license left: total {ledger.Counts.Total}, assigned {ledger.Counts.Assigned}, reserved {ledger.Counts.Reserved}, in use elsewhere {ledger.Counts.External}.");
}
