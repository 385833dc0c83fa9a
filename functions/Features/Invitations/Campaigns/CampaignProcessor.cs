using ManagedDistribution.Platform.Workflows;
using Microsoft.Extensions.Options;

namespace ManagedDistribution.Features.Invitations.Campaigns;

/// <summary>
/// One wave of one chunk of an <c>invitation-campaign</c> workflow. Pending items are re-checked
/// on fresh state (<see cref="CampaignRules"/>), claimed (the user's state becomes invited by
/// this campaign, written conditionally in bucket transactions, so two campaigns never both
/// invite a user) and sent by <see cref="RecipientSender"/>. Sent items are followed each wave:
/// a device's acknowledgement makes them delivered, the user's enrolment accepted; after
/// <see cref="InvitationsOptions.FollowFor"/> they close in their last state.
/// At-least-once: a redelivered wave finds its own claim (<c>InvitedBy</c>) and sends again
/// with the same mail Message-Id / command UUIDs, which the mail provider and command queue dedupe.
/// </summary>
public sealed partial class CampaignProcessor(ManagedDistributionStore states, RecipientSender sender, WorkflowEngine engine,
    IOptions<InvitationsOptions> options, TimeProvider time, ILogger<CampaignProcessor> logger) : IWorkflowChunkProcessor
{
    readonly InvitationsOptions settings = options.Value;
    /// <summary>Device chunks sending at once in this instance (<see cref="InvitationsOptions.DeviceChunksAtOnce"/>).</summary>
    readonly SemaphoreSlim deviceSending = new(options.Value.DeviceChunksAtOnce);

    public async Task<WorkflowChunkResult> ProcessAsync(WorkflowChunk chunk, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var started = time.GetTimestamp();
        var items = chunk.Items.Select(i => (Item: i, Data: RecipientData.Parse(i.Data))).ToList();
        var updated = new List<WorkflowItem>();
        var optimistic = new List<(WorkflowItem Item, RecipientData Data)>();
        var needState = new List<(WorkflowItem Item, RecipientData Data)>();
        foreach (var (item, data) in items)
        {
            if (item.State == WorkflowItemStates.Pending || item.State == RecipientStates.Retrying)
            {
                if (data.Skip is { } planned) updated.Add(Close(item, RecipientStates.Skipped(planned), null));
                else if (data.PreSent) updated.Add(item with { State = RecipientStates.Sent, Attempts = 1, LastAttemptAt = now });
                // A first attempt is claimed on the state it was planned on, without reading it again.
                else if (item.State == WorkflowItemStates.Pending && item.Attempts == 0 && data.Planned is not null) optimistic.Add((item, data));
                else needState.Add((item, data));
            }
            else needState.Add((item, data));
        }
        var fresh = needState.Count == 0 ? [] : await states.ReadManyAsync([.. needState.Select(i => i.Item.Key)], cancellationToken);
        var readMs = (int)time.GetElapsedTime(started).TotalMilliseconds;
        var toSend = new List<(WorkflowItem Item, RecipientData Data, ManagedDistributionState State)>();
        foreach (var (item, data) in needState)
        {
            var state = fresh[item.Key];
            if (item.State == WorkflowItemStates.Pending || item.State == RecipientStates.Retrying) toSend.Add((item, data, state));
            else if (Follow(item, data, state, now) is { } followed) updated.Add(followed);
        }
        var waitMs = 0;
        if (toSend.Count + optimistic.Count > 0)
        {
            var (sent, waited) = await GatedSendAsync(chunk, optimistic, toSend, now, cancellationToken);
            updated.AddRange(sent);
            waitMs = (int)waited.TotalMilliseconds;
        }

        var open = chunk.Items.Count - updated.Count(u => u.Terminal);
        LogWave(chunk.Workflow.Id, chunk.Chunk, chunk.Wave, toSend.Count + optimistic.Count, updated.Count(u => u.State == RecipientStates.Sent),
            updated.Count(u => u.State == RecipientStates.Accepted), readMs, waitMs, (int)time.GetElapsedTime(started).TotalMilliseconds);
        return new WorkflowChunkResult(updated, open > 0 ? NextLook(chunk, updated) : null);
    }

    /// <summary>Recipients still to send (retries, users another campaign held) come back soon; only following backs off.</summary>
    TimeSpan NextLook(WorkflowChunk chunk, List<WorkflowItem> updated)
    {
        var latest = chunk.Items.ToDictionary(i => i.Key, StringComparer.Ordinal);
        foreach (var item in updated) latest[item.Key] = item;
        var toSend = latest.Values.Any(i => !i.Terminal && i.State is WorkflowItemStates.Pending or RecipientStates.Retrying);
        return toSend ? settings.FollowInterval : settings.FollowDelayAfter(chunk.Wave);
    }

    /// <summary>
    /// A sent or delivered item: accepted once the user enrolled, delivered/failed by the device's
    /// answer, closed after the follow window. A user invited on several devices fails only when no
    /// device delivered: one device's error is noted on the item (still sent, still followed), and
    /// the follow window closes it as failed unless another device acknowledged meanwhile.
    /// </summary>
    WorkflowItem? Follow(WorkflowItem item, RecipientData data, ManagedDistributionState state, DateTimeOffset now)
    {
        if (state.Status == EnrolmentStatus.Enrolled) return Close(item, RecipientStates.Accepted, null);
        var expired = item.LastAttemptAt is { } sentAt && now - sentAt >= settings.FollowFor;
        if (item.State == RecipientStates.Sent && data.Channel == InvitationChannel.Device
            && state.DeliveryCommandUuid is { } uuid && data.CommandUuids.Contains(uuid, StringComparer.OrdinalIgnoreCase))
        {
            if (state.DeliveryStatus == "acknowledged") return item with { State = RecipientStates.Delivered, Error = null };
            var error = $"The device answered {state.DeliveryStatus}: {state.DeliveryError}";
            if (data.CommandUuids.Count <= 1 || expired) return Close(item, RecipientStates.Failed, error);
            return item.Error == error ? null : item with { Error = error };
        }
        if (expired)
            return item.State == RecipientStates.Sent && item.Error is { } noted ? Close(item, RecipientStates.Failed, noted) : item with { Terminal = true };
        return null;
    }

    /// <summary>
    /// A device campaign's first wave waits for its turn before its chunk is loaded (the engine
    /// asks here): ten chunks of 10,000 loaded at once kept the five still waiting in memory, and
    /// parsing them delayed the five that could send. Later waves (following, a few retries) load
    /// at once and take a turn only if they send.
    /// </summary>
    public async Task<WorkflowTurn?> TakeTurnAsync(WorkflowInfo workflow, int wave, CancellationToken cancellationToken) =>
        wave == 0 && CampaignKey.IsDevice(workflow) ? await WorkflowTurn.TakeAsync(deviceSending, time, cancellationToken) : null;

    /// <summary>
    /// A device chunk sends in its turn (<see cref="InvitationsOptions.DeviceChunksAtOnce"/>), taken
    /// before loading (<see cref="TakeTurnAsync"/>) or else here; mail chunks are small and go at
    /// once. A campaign cancelled while a loaded chunk waited here sends nothing more: its
    /// recipients stay pending, and the cancel's own message for the chunk closes them.
    /// </summary>
    async Task<(IEnumerable<WorkflowItem> Sent, TimeSpan Waited)> GatedSendAsync(WorkflowChunk chunk, List<(WorkflowItem Item, RecipientData Data)> optimistic,
        List<(WorkflowItem Item, RecipientData Data, ManagedDistributionState State)> toSend, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var device = (optimistic.Count > 0 ? optimistic[0].Data : toSend[0].Data).Channel == InvitationChannel.Device;
        if (!device) return (await SendAsync(chunk.Workflow, chunk.Chunk, optimistic, toSend, now, cancellationToken), TimeSpan.Zero);
        if (chunk.Turn is { } taken) return (await SendAsync(chunk.Workflow, chunk.Chunk, optimistic, toSend, now, cancellationToken), taken.Waited);
        using var turn = await WorkflowTurn.TakeAsync(deviceSending, time, cancellationToken);
        if (await engine.GetAsync(chunk.Workflow.Id, cancellationToken) is not { CancelRequested: false })
        {
            LogCancelledWhileWaiting(chunk.Workflow.Id, chunk.Chunk);
            return ([], turn.Waited);
        }
        // Invited when sent, not when the wave began: the wait may have been a while.
        return (await SendAsync(chunk.Workflow, chunk.Chunk, optimistic, toSend, time.GetUtcNow(), cancellationToken), turn.Waited);
    }

    /// <summary>
    /// Claims and sends. <paramref name="optimistic"/> items are claimed with the ETag they were
    /// planned on; those whose state changed since are re-read and decided like <paramref name="toSend"/>.
    /// </summary>
    async Task<IEnumerable<WorkflowItem>> SendAsync(WorkflowInfo workflow, int chunk, List<(WorkflowItem Item, RecipientData Data)> optimistic,
        List<(WorkflowItem Item, RecipientData Data, ManagedDistributionState State)> toSend, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var mine = new List<(WorkflowItem Item, RecipientData Data, ManagedDistributionState Before)>();
        if (optimistic.Count > 0)
        {
            var won = await states.ClaimManyAsync([.. optimistic.Select(o => (o.Item.Key, new Platform.Storage.ETag(o.Data.Planned!.ETag)))], workflow.Id, chunk, now,
                cancellationToken);
            var changed = optimistic.Where(o => !won.ContainsKey(o.Item.Key)).ToList();
            mine.AddRange(optimistic.Where(o => won.ContainsKey(o.Item.Key)).Select(o => (o.Item, o.Data, o.Data.Planned!.ToState(o.Item.Key))));
            if (changed.Count > 0)
            {
                var reread = await states.ReadManyAsync([.. changed.Select(c => c.Item.Key)], cancellationToken);
                toSend = [.. toSend, .. changed.Select(c => (c.Item, c.Data, reread[c.Item.Key]))];
            }
        }
        var (audience, cutoff) = CampaignKey.Parse(workflow);
        var results = new List<WorkflowItem>();
        var claims = new List<ManagedDistributionState>();
        foreach (var (item, data, state) in toSend)
        {
            if (state.InvitedBy == workflow.Id && state.Status == EnrolmentStatus.Invited)
            {
                mine.Add((item, data, state)); // our own claim, from a wave that died before its commit
                continue;
            }
            var user = new Directory.UserSummary(item.Key, item.Key, data.FullName, data.Email, null, data.Language);
            if (CampaignRules.SkipReason(user, state, audience, data.Channel, data.Channels.Count, cutoff) is { } reason)
                results.Add(Close(item, RecipientStates.Skipped(reason), null));
            else claims.Add(state with { Status = EnrolmentStatus.Invited, InvitedAt = now, InvitedBy = workflow.Id, InvitedChunk = chunk });
        }
        var claimed = (await states.SaveManyAsync(claims, cancellationToken)).ToDictionary(s => s.UserId, StringComparer.Ordinal);
        foreach (var (item, data, state) in toSend)
            if (claimed.TryGetValue(item.Key, out var claim)) mine.Add((item, data, state));
        // Users another campaign claimed first stay pending: the next wave sees them invited and skips them.
        results.AddRange(await sender.SendAsync(workflow.Id, mine, now, cancellationToken));
        return results;
    }

    static WorkflowItem Close(WorkflowItem item, string state, string? error) => item with { State = state, Terminal = true, Error = error };

    [LoggerMessage(LogLevel.Information, "Invitation campaign {WorkflowId} chunk {Chunk}: cancelled while waiting for its turn to send; nothing sent")]
    partial void LogCancelledWhileWaiting(string workflowId, int chunk);

    [LoggerMessage(LogLevel.Information, "Invitation campaign {WorkflowId} chunk {Chunk} wave {Wave}: {Sending} to send, {Sent} sent, {Accepted} accepted ({ReadMs} ms reading states, {WaitMs} ms waiting for a turn to send, {ElapsedMs} ms in all)")]
    partial void LogWave(string workflowId, int chunk, int wave, int sending, int sent, int accepted, int readMs, int waitMs, int elapsedMs);
}
