using ManagedDistribution.Platform.Workflows;
using Microsoft.Extensions.Options;

namespace ManagedDistribution.Features.Devices.Push;

/// <summary>
/// One wave of one chunk of a push delivery workflow. Per channel: done if it checked in and
/// nothing waits; expired (its waiting commands too) after the last attempt; otherwise pushed,
/// once per channel per wave however many commands wait, with every push of the chunk sent
/// together through <see cref="ApnsClient.SendManyAsync"/>. 400/410 mark the token unusable.
/// </summary>
sealed partial class PushChunkProcessor(
    IPushTargets targets,
    ApnsClient apns,
    RecentPushes recent,
    IOptions<PushOptions> options,
    TimeProvider time,
    ILogger<PushChunkProcessor> logger) : IWorkflowChunkProcessor
{
    readonly PushOptions settings = options.Value;

    public async Task<WorkflowChunkResult> ProcessAsync(WorkflowChunk chunk, CancellationToken cancellationToken)
    {
        // The chunk's push targets in one bulk read (its channels are seeded in device bucket order,
        // so they share a few bucket tables), not one point read per channel. A first wave only
        // needs credentials, and may take them from a read other chunks made a moment ago.
        var found = await targets.GetManyAsync([.. chunk.Items.Select(i => ChannelId.Parse(i.Key)).Distinct()],
            recentWillDo: chunk.Items.All(i => i.Attempts == 0), cancellationToken);
        // The first wave follows the queueing of the commands it announces, so it pushes without
        // asking; later waves ask (for all their channels at once), as the device may have fetched them meanwhile.
        var asked = chunk.Items.Where(i => i.Attempts > 0).Select(i => ChannelId.Parse(i.Key)).ToList();
        var waiting = asked.Count == 0 ? new HashSet<ChannelId>() : await targets.WaitingChannelsAsync(asked, cancellationToken);
        var decisions = new Decision[chunk.Items.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, chunk.Items.Count),
            new ParallelOptions { MaxDegreeOfParallelism = settings.LookupConcurrency, CancellationToken = cancellationToken },
            async (i, ct) => decisions[i] = await DecideAsync(chunk.Items[i], found.GetValueOrDefault(ChannelId.Parse(chunk.Items[i].Key)), waiting, ct));

        var updated = decisions.Where(d => d.Done is not null).Select(d => d.Done!).ToList();
        var pushes = decisions.Where(d => d.Target is not null).Select(d => (d.Item, Target: d.Target!)).ToList();
        updated.AddRange(await PushAsync(pushes, cancellationToken));

        LogWave(chunk.Workflow.Id, chunk.Chunk, chunk.Wave, pushes.Count, updated.Count(u => u.State == PushItemStates.Delivered),
            updated.Count(u => u.State == PushItemStates.Expired), updated.Count(u => u.State == PushItemStates.Failed));
        return new WorkflowChunkResult(updated, settings.DelayBeforeWave(chunk.Wave + 1));
    }

    /// <summary>An item is either finished (<see cref="Done"/>) or to be pushed to <see cref="Target"/>.</summary>
    readonly record struct Decision(WorkflowItem Item, WorkflowItem? Done, PushTargetInfo? Target);

    async Task<Decision> DecideAsync(WorkflowItem item, PushTargetInfo? target, IReadOnlySet<ChannelId> waiting, CancellationToken cancellationToken)
    {
        var channel = ChannelId.Parse(item.Key);
        if (target is null) return Finish(item, PushItemStates.Failed, "Unknown channel, or not enrolled.");
        if (!target.TokenUsable) return Finish(item, PushItemStates.Failed, "The push token is marked unusable.");
        if (item.Attempts > 0 && !waiting.Contains(channel))
            return CheckedInSincePush(item, target)
                ? Finish(item, PushItemStates.Delivered, null)
                : Finish(item, PushItemStates.Skipped, "No commands were waiting.");
        if (item.Attempts >= settings.MaxAttempts)
        {
            var expired = await targets.ExpireWaitingCommandsAsync(channel, cancellationToken);
            return Finish(item, PushItemStates.Expired, $"No check-in after {item.Attempts} pushes; {expired} waiting commands expired.");
        }
        return new Decision(item, null, target);
    }

    static bool CheckedInSincePush(WorkflowItem item, PushTargetInfo target) =>
        item.Attempts > 0 && item.LastAttemptAt is { } pushedAt && target.LastCheckinAt > pushedAt;

    static Decision Finish(WorkflowItem item, string state, string? error) =>
        new(item, item with { State = state, Terminal = true, Error = error }, null);

    async Task<IEnumerable<WorkflowItem>> PushAsync(List<(WorkflowItem Item, PushTargetInfo Target)> pushes, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var hold = settings.CheckinWindow * 0.9;
        var results = new List<WorkflowItem>(pushes.Count);
        var sending = new List<(WorkflowItem Item, PushTargetInfo Target)>(pushes.Count);
        foreach (var push in pushes)
        {
            // Another workflow pushed this channel within the window: that push serves this wave too.
            if (recent.TryClaim(push.Item.Key, now, hold, out var pushedAt)) sending.Add(push);
            else results.Add(Pushed(push.Item, pushedAt));
        }
        var sent = await apns.SendManyAsync(sending.Select(p => PushTarget.FromToken(p.Target.Token, p.Target.Topic, p.Target.PushMagic)).ToList(),
            cancellationToken: cancellationToken);
        for (var i = 0; i < sending.Count; i++)
            results.Add(await ConcludeAsync(sending[i].Item, sending[i].Target.Token, sent[i], now, cancellationToken));
        return results;
    }

    async Task<WorkflowItem> ConcludeAsync(WorkflowItem item, byte[] token, PushResult result, DateTimeOffset pushedAt, CancellationToken cancellationToken)
    {
        if (result is not PushResult.Delivered) recent.Release(item.Key, pushedAt);
        switch (result)
        {
            case PushResult.Delivered:
                return Pushed(item, pushedAt);
            case PushResult.BadToken or PushResult.Unregistered:
                var refusal = result is PushResult.BadToken bad ? bad.Reason : ((PushResult.Unregistered)result).Reason;
                await targets.MarkTokenUnusableAsync(ChannelId.Parse(item.Key), token, refusal, cancellationToken);
                return item with { State = PushItemStates.Failed, Terminal = true, Attempts = item.Attempts + 1, LastAttemptAt = pushedAt, Error = "APNs: " + refusal };
            case PushResult.RetryLater { Status: var status, Reason: var reason }:
                return item with { State = PushItemStates.Retrying, Attempts = item.Attempts + 1, LastAttemptAt = pushedAt, Error = $"APNs {status}: {reason}" };
            default:
                // Certificate, configuration or request problems: not the device's fault, and retrying won't help.
                // The commands stay queued; the device fetches them at its next check-in.
                return item with { State = PushItemStates.Failed, Terminal = true, Error = "APNs: " + result };
        }
    }

    static WorkflowItem Pushed(WorkflowItem item, DateTimeOffset pushedAt) =>
        item with { State = PushItemStates.Pushed, Attempts = item.Attempts + 1, LastAttemptAt = pushedAt, Error = null };

    [LoggerMessage(LogLevel.Information, "Push workflow {WorkflowId} chunk {Chunk} wave {Wave}: {Pushes} pushes, {Delivered} delivered, {Expired} expired, {Failed} failed")]
    partial void LogWave(string workflowId, int chunk, int wave, int pushes, int delivered, int expired, int failed);
}
