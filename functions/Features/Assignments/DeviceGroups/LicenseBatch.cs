using System.Text;
using ManagedDistribution.Features.Assignments.Members;
using ManagedDistribution.Features.Devices;
using ManagedDistribution.Features.Devices.Commands;
using ManagedDistribution.Features.Licenses;

namespace ManagedDistribution.Features.Assignments.DeviceGroups;

/// <summary>A member to be licensed in a batch.</summary>
public sealed record BatchMember(string DeviceId, string? Serial);

/// <summary>One batch of a group's granted members (at most <c>maxSerialNumbers</c>): one Apple request and event, one settlement step.</summary>
public sealed record LicenseBatchWork(int Batch, IReadOnlyList<BatchMember> Members);

/// <summary>
/// Batches of a group's granted members (each at most <c>maxSerialNumbers</c>): associate each at
/// Apple, write the committed target rows of what it confirmed (written once: the reservation
/// holds only a count, <see cref="LicenseLedger.ClaimTargetsAsync"/>), then settle — commit what
/// Apple confirmed, release what it refused or another reservation turned out to hold, with step
/// keys named after the batch, so a batch redone after a crash settles nothing twice even though
/// Apple gives the redo a new event id — then, for all the batches together, install commands
/// (one idempotency key for the set: a redo finds the same commands) and member rows. Writing the
/// rows of many batches at once fills the bucket partitions' 100-row transactions (a single batch
/// spread over 256 command buckets would be ~2 rows per transaction). Used inline for small groups
/// and by the workflow for large ones.
/// </summary>
public sealed class LicenseBatch(
    AppleDeviceLicenses apple, LicenseLedger ledger, CommandQueue commands, AssignmentMemberStore members, Waiting.WaitingListServer waiting,
    TimeProvider time, ILogger<LicenseBatch> logger)
{
    public const string Source = InstallResults.Source;

    /// <summary>Apple requests (and event waits) in flight at once for one call.</summary>
    const int AppleConcurrency = 8;

    /// <summary>One batch; returns how many members Apple refused (their licenses went back to the ledger).</summary>
    public async Task<int> RunAsync(GroupContext context, string reservationKey, int batch, IReadOnlyList<BatchMember> batchMembers,
        CancellationToken cancellationToken) =>
        (await RunManyAsync(context, reservationKey, [new(batch, batchMembers)], $"{reservationKey}:batch-{batch}", cancellationToken))[batch];

    /// <summary>
    /// Several batches, their rows written together. <paramref name="commandKey"/> is the install
    /// commands' idempotency key: the same for every attempt of the same set of batches.
    /// Returns how many members Apple refused, per batch.
    /// </summary>
    public async Task<IReadOnlyDictionary<int, int>> RunManyAsync(GroupContext context, string reservationKey, IReadOnlyList<LicenseBatchWork> work,
        string commandKey, CancellationToken cancellationToken)
    {
        var phases = new PhaseClock();
        var all = work.SelectMany(w => w.Members).ToList();
        var failed = new Dictionary<string, string>(StringComparer.Ordinal);
        var held = new Dictionary<string, string>(StringComparer.Ordinal);
        var refused = work.ToDictionary(w => w.Batch, _ => 0);
        var ok = (IReadOnlyList<BatchMember>)all;
        if (context.NeedsLicense)
        {
            var outcomes = new IReadOnlyDictionary<string, string>[work.Count];
            await Parallel.ForEachAsync(Enumerable.Range(0, work.Count),
                new ParallelOptions { MaxDegreeOfParallelism = AppleConcurrency, CancellationToken = cancellationToken },
                async (i, ct) => outcomes[i] = await AssociateAsync(context, work[i], ct));
            phases.Lap("apple");
            for (var i = 0; i < work.Count; i++)
            {
                refused[work[i].Batch] = outcomes[i].Count;
                foreach (var (serial, reason) in outcomes[i]) failed[serial] = reason;
            }
            // Rows before counts: the targets another reservation holds meanwhile (a device in two groups licensed at once) are released, not committed.
            var claimed = await ledger.ClaimTargetsAsync(context.ContentId, all.Where(m => !failed.ContainsKey(m.Serial!)).Select(m => LicenseTarget.Device(m.Serial!)),
                context.AssignmentId, reservationKey, cancellationToken);
            foreach (var (target, owner) in claimed) held[target.Id] = owner;
            phases.Lap("targets");
            await SettleAsync(context, reservationKey, work, outcomes, held, cancellationToken);
            phases.Lap("settle");
            ok = [.. all.Where(m => !failed.ContainsKey(m.Serial!) && !held.ContainsKey(m.Serial!))];
        }
        var uuids = await QueueInstallsAsync(context, ok, commandKey, cancellationToken);
        phases.Lap("commands");
        var now = time.GetUtcNow();
        await members.AddManyAsync(all.Select(m => failed.TryGetValue(m.Serial ?? "", out var reason)
                ? Row(context, m, MemberStates.Failed, MemberReasons.AppleRefused, now) with { Detail = reason }
                : held.TryGetValue(m.Serial ?? "", out var holder)
                ? Row(context, m, MemberStates.Licensed, null, now) with { Detail = $"License held by {holder}." }
                : Row(context, m, MemberStates.Licensed, null, now) with { CommandUuid = uuids.GetValueOrDefault(m.DeviceId) }), cancellationToken);
        phases.Lap("members");
        if (failed.Count + held.Count > 0)
            await waiting.ServeAsync(context.ContentId, cancellationToken); // the released licenses may serve others (not this serve again: nested serves return)
        if (failed.Count > 0)
            logger.LogWarning("Apple refused {Failed} of {Count} devices for {AssignmentId} (batches {Batches})", failed.Count, all.Count,
                context.AssignmentId, string.Join(',', work.Where(w => refused[w.Batch] > 0).Select(w => w.Batch)));
        if (held.Count > 0)
            logger.LogInformation("{Held} of {Count} devices of {AssignmentId} got their license from another assignment meanwhile; the licenses reserved for them went back",
                held.Count, all.Count, context.AssignmentId);
        logger.LogDebug("Group licensing phases: batches={Batches} devices={Count} {Phases}", work.Count, all.Count, phases.ToString());
        return refused;
    }

    /// <summary>Associates one batch at Apple and waits for its event; returns the refused serials with Apple's reasons.</summary>
    async Task<IReadOnlyDictionary<string, string>> AssociateAsync(GroupContext context, LicenseBatchWork work, CancellationToken cancellationToken)
    {
        var outcome = await apple.ManageAsync(context.Token!, context.Asset, [.. work.Members.Select(m => m.Serial!)], associate: true, cancellationToken);
        return work.Members.Where(m => outcome.Failed.ContainsKey(m.Serial!)).ToDictionary(m => m.Serial!, m => outcome.Failed[m.Serial!], StringComparer.Ordinal);
    }

    /// <summary>
    /// Settles every batch in one ledger write, each under its own step keys (<c>batch-n</c> for the
    /// confirmed, <c>batch-n:failed</c> for those Apple refused or another reservation holds), so a
    /// batch redone after a crash settles nothing twice.
    /// </summary>
    async Task SettleAsync(GroupContext context, string reservationKey, IReadOnlyList<LicenseBatchWork> work,
        IReadOnlyList<IReadOnlyDictionary<string, string>> refused, IReadOnlyDictionary<string, string> held, CancellationToken cancellationToken)
    {
        var steps = new List<SettleStep>();
        for (var i = 0; i < work.Count; i++)
        {
            var step = $"batch-{work[i].Batch}";
            var notCommitted = refused[i].Count + work[i].Members.Count(m => held.ContainsKey(m.Serial!));
            if (work[i].Members.Count > notCommitted) steps.Add(SettleStep.Committed(work[i].Members.Count - notCommitted, step));
            if (notCommitted > 0) steps.Add(SettleStep.Released(notCommitted, step + ":failed"));
        }
        if (steps.Count == 0) return;
        var result = await ledger.SettleStepsAsync(context.ContentId, reservationKey, steps, cancellationToken);
        if (result.Outcome == SettleOutcome.Contended)
            throw new InvalidOperationException($"The ledger of {context.ContentId} is too contended to settle {context.AssignmentId}; the chunk is retried.");
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

    /// <summary>
    /// Workflow item payload: one member per line, <c>deviceId\tserial</c>, after an optional first
    /// line <c>@{membershipVersion}</c> (device ids never start with <c>@</c>: DirectoryIds).
    /// </summary>
    public static string Encode(IEnumerable<BatchMember> batch, string? membershipVersion = null)
    {
        var text = new StringBuilder();
        if (membershipVersion is not null) text.Append('@').Append(membershipVersion).Append('\n');
        foreach (var m in batch) text.Append(m.DeviceId).Append('\t').Append(m.Serial).Append('\n');
        return text.ToString();
    }

    public static IReadOnlyList<BatchMember> Decode(string? data) =>
        [.. (data ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(line => line[0] != '@').Select(line =>
        {
            var tab = line.IndexOf('\t', StringComparison.Ordinal);
            return tab < 0 ? new BatchMember(line, null) : new BatchMember(line[..tab], line[(tab + 1)..] is { Length: > 0 } s ? s : null);
        })];

    /// <summary>The membership version an item was written with (<see cref="Encode"/>), or null.</summary>
    public static string? MembershipVersionOf(string? data) =>
        data is ['@', ..] ? data[1..data.IndexOf('\n', StringComparison.Ordinal)] : null;
}
