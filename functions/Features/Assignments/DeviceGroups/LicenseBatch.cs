using System.Text;
using ManagedDistribution.Features.Assignments.Members;
using ManagedDistribution.Features.Devices;
using ManagedDistribution.Features.Devices.Commands;
using ManagedDistribution.Features.Licenses;

namespace ManagedDistribution.Features.Assignments.DeviceGroups;

/// <summary>A member to be licensed in a batch.</summary>
public sealed record BatchMember(string DeviceId, string? Serial);

/// <summary>
/// One batch of a group's granted members (at most <c>maxSerialNumbers</c>): associate at Apple,
/// commit what Apple confirmed and release what it refused (step keys named after the batch, so
/// a batch redone after a crash settles nothing twice, even though Apple gives the redo a new
/// event id), target rows, install commands (idempotency key per batch: a redo finds the same
/// commands), then the member rows. Used inline for small groups and by the workflow for large ones.
/// </summary>
public sealed class LicenseBatch(
    AppleDeviceLicenses apple, LicenseLedger ledger, CommandQueue commands, AssignmentMemberStore members, Waiting.WaitingListServer waiting,
    TimeProvider time, ILogger<LicenseBatch> logger)
{
    public const string Source = InstallResults.Source;

    /// <summary>Returns how many members Apple refused (their licenses went back to the ledger).</summary>
    public async Task<int> RunAsync(GroupContext context, string reservationKey, int batch, IReadOnlyList<BatchMember> batchMembers,
        CancellationToken cancellationToken)
    {
        var phases = new PhaseClock();
        var failed = new Dictionary<string, string>(StringComparer.Ordinal);
        var ok = batchMembers;
        if (context.NeedsLicense)
        {
            var serials = batchMembers.Select(m => m.Serial!).ToList();
            var outcome = await apple.ManageAsync(context.Token!, context.Asset, serials, associate: true, phases, cancellationToken);
            failed = new(outcome.Failed, StringComparer.Ordinal);
            ok = [.. batchMembers.Where(m => !failed.ContainsKey(m.Serial!))];
            var step = $"batch-{batch}";
            if (ok.Count > 0) await ledger.CommitAsync(context.ContentId, reservationKey, ok.Count, step, cancellationToken);
            if (failed.Count > 0) await ledger.ReleaseAsync(context.ContentId, reservationKey, failed.Count, step + ":failed", cancellationToken);
            phases.Lap("settle");
            await ledger.SetTargetStatesAsync(context.ContentId, ok.Select(m => LicenseTarget.Device(m.Serial!)), LicenseState.Committed,
                context.AssignmentId, reservationKey, cancellationToken);
            if (failed.Count > 0)
                await ledger.SetTargetStatesAsync(context.ContentId, failed.Keys.Select(LicenseTarget.Device), LicenseState.Released,
                    context.AssignmentId, reservationKey, cancellationToken);
            phases.Lap("targets");
        }
        var uuids = await QueueInstallsAsync(context, ok, $"{reservationKey}:batch-{batch}", cancellationToken);
        phases.Lap("commands");
        var now = time.GetUtcNow();
        await members.SaveManyAsync(batchMembers.Select(m => failed.TryGetValue(m.Serial ?? "", out var reason)
            ? Row(context, m, MemberStates.Failed, MemberReasons.AppleRefused, now) with { Detail = reason }
            : Row(context, m, MemberStates.Licensed, null, now) with { CommandUuid = uuids.GetValueOrDefault(m.DeviceId) }), cancellationToken);
        phases.Lap("members");
        if (failed.Count > 0)
            await waiting.ServeAsync(context.ContentId, cancellationToken); // the released licenses may serve others (not this serve again: nested serves return)
        if (failed.Count > 0)
            logger.LogWarning("Apple refused {Failed} of {Count} devices for {AssignmentId} (batch {Batch})", failed.Count, batchMembers.Count,
                context.AssignmentId, batch);
        logger.LogDebug("Group batch phases: batch={Batch} devices={Count} {Phases}", batch, batchMembers.Count, phases.ToString());
        return failed.Count;
    }

    async Task<Dictionary<string, string>> QueueInstallsAsync(GroupContext context, IReadOnlyList<BatchMember> ok, string key,
        CancellationToken cancellationToken)
    {
        if (ok.Count == 0 || context.Mode != InstallModes.Automatic || AssignmentCommands.Install(context.Kind, context.Content) is not { } install)
            return [];
        var queued = await commands.EnqueueManyAsync([.. ok.Select(m => new ChannelId(m.DeviceId))], install, Source, key, cancellationToken);
        return queued.Commands.ToDictionary(c => c.Channel.DeviceId, c => c.CommandUuid, StringComparer.Ordinal);
    }

    static AssignmentMember Row(GroupContext context, BatchMember member, string state, string? reason, DateTimeOffset now) =>
        new(TargetKinds.DeviceGroup, context.GroupId, context.ContentId, member.DeviceId, state, reason, now) { SerialNumber = member.Serial };

    /// <summary>Workflow item payload: one member per line, <c>deviceId\tserial</c>.</summary>
    public static string Encode(IEnumerable<BatchMember> batch)
    {
        var text = new StringBuilder();
        foreach (var m in batch) text.Append(m.DeviceId).Append('\t').Append(m.Serial).Append('\n');
        return text.ToString();
    }

    public static IReadOnlyList<BatchMember> Decode(string? data) =>
        [.. (data ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line =>
        {
            var tab = line.IndexOf('\t', StringComparison.Ordinal);
            return tab < 0 ? new BatchMember(line, null) : new BatchMember(line[..tab], line[(tab + 1)..] is { Length: > 0 } s ? s : null);
        })];
}
