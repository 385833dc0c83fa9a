using System.Text.Json;
using ManagedDistribution.Features.Devices.Protocol;

namespace ManagedDistribution.Features.Devices.Commands;

/// <summary>A recorded report: the command as now stored, and whether this report changed it (false for a duplicate).</summary>
public sealed record CommandTransition(CommandRecord Command, bool Changed);

/// <summary>
/// The command side of the connect endpoint: which command a channel gets next, and what a
/// device's status does to a command. Every change is a conditional write; a lost race re-reads.
/// <para>Sessions: a device opens a session with <c>Idle</c>, and <paramref name="sessionStartedAt"/>
/// is that moment. A command the device answered <c>NotNow</c> in this session, or one sent in this
/// session and not yet answered, waits for a later session (Apple: after NotNow the device polls again
/// by itself when conditions change). Queue rule (contracts/apple.md §3.4): a command leaves the
/// queue only on Acknowledged, Error or CommandFormatError, so a command sent in an earlier session
/// that never got an answer is sent again.</para>
/// </summary>
public sealed class CommandExchange(CommandStore store, IEnumerable<ICommandResultListener> listeners, TimeProvider time)
{
    const int MaxAttempts = 5;
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Claims the oldest eligible command of the channel (status sent, Attempts+1, SentAt) or returns null.</summary>
    public async Task<CommandRecord?> NextAsync(ChannelId channel, DateTimeOffset sessionStartedAt, CancellationToken cancellationToken)
    {
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            var candidate = await FirstEligibleAsync(channel, sessionStartedAt, cancellationToken);
            if (candidate is null) return null;
            candidate.Status = CommandStatuses.Sent;
            candidate.Attempts++;
            candidate.SentAt = time.GetUtcNow();
            if (await store.TryReplaceAsync(candidate, cancellationToken)) return candidate;
        }
        return null;
    }

    async Task<CommandRecord?> FirstEligibleAsync(ChannelId channel, DateTimeOffset sessionStartedAt, CancellationToken cancellationToken)
    {
        await foreach (var command in store.PendingAsync(channel, cancellationToken))
            if (IsEligible(command, sessionStartedAt)) return command;
        return null;
    }

    static bool IsEligible(CommandRecord command, DateTimeOffset sessionStartedAt) => command.Status switch
    {
        CommandStatuses.Queued => true,
        CommandStatuses.NotNow => command.NotNowAt < sessionStartedAt,
        CommandStatuses.Sent => command.SentAt < sessionStartedAt,
        _ => false,
    };

    /// <summary>
    /// Records a non-Idle report. Unknown UUID or another channel's command: <see cref="DeviceError.UnknownCommand"/>,
    /// nothing changed. A command already finished stays as it is (duplicate reports are no-ops).
    /// </summary>
    public async Task<DeviceOutcome<CommandTransition>> RecordAsync(ChannelId channel, CommandReport report, string rawBody,
        CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var command = await store.FindAsync(channel, report.CommandUuid!, cancellationToken);
            if (command is null)
                return new DeviceFailure(DeviceError.UnknownCommand, $"Command '{report.CommandUuid}' was not sent to this channel.");
            if (CommandStatuses.IsTerminal(command.Status)) return new CommandTransition(command, false);

            Apply(command, report, rawBody, time.GetUtcNow());
            if (await store.TryReplaceAsync(command, cancellationToken)) return new CommandTransition(command, true);
            if (attempt == MaxAttempts) throw new InvalidOperationException($"Command {report.CommandUuid} kept changing while a report was recorded.");
        }
    }

    static void Apply(CommandRecord command, CommandReport report, string rawBody, DateTimeOffset now)
    {
        command.ReportedStatus = report.Status.ToString();
        if (report.Status == CommandStatus.NotNow)
        {
            command.Status = CommandStatuses.NotNow;
            command.NotNowAt = now;
            return;
        }
        command.Status = report.Status == CommandStatus.Acknowledged ? CommandStatuses.Acknowledged : CommandStatuses.Error;
        command.CompletedAt = now;
        command.ErrorChain = report.ErrorChain.Count == 0 ? null : JsonSerializer.Serialize(report.ErrorChain, Json);
        command.SetResponse(rawBody);
    }

    public Task<bool> HasWaitingAsync(ChannelId channel, CancellationToken cancellationToken) => store.HasWaitingAsync(channel, cancellationToken);

    /// <summary>Which of these channels have queued or not-now commands (<see cref="CommandStore.WaitingChannelsAsync"/>).</summary>
    public Task<IReadOnlySet<ChannelId>> WaitingChannelsAsync(IReadOnlyCollection<ChannelId> channels, CancellationToken cancellationToken) =>
        store.WaitingChannelsAsync(channels, cancellationToken);

    /// <summary>Marks every queued or not-now command of the channel expired; returns how many it changed.</summary>
    public async Task<int> ExpireWaitingAsync(ChannelId channel, CancellationToken cancellationToken)
    {
        var waiting = new List<CommandRecord>();
        await foreach (var command in store.WaitingAsync(channel, null, cancellationToken)) waiting.Add(command);
        var expired = 0;
        foreach (var command in waiting)
        {
            command.Status = CommandStatuses.Expired;
            command.CompletedAt = time.GetUtcNow();
            // A lost race means the device just fetched or answered it: then it is not ours to expire.
            if (!await store.TryReplaceAsync(command, cancellationToken)) continue;
            expired++;
            await TellAsync(command, cancellationToken);
        }
        return expired;
    }

    /// <summary>Tells the <see cref="ICommandResultListener"/>s that a command ended (also for a repeated report).</summary>
    public async Task TellAsync(CommandRecord command, CancellationToken cancellationToken)
    {
        if (command.Status is not (CommandStatuses.Acknowledged or CommandStatuses.Error or CommandStatuses.Expired)) return;
        var result = new CommandResult(command.Channel, command.CommandUuid, command.RequestType, command.Source, command.Status, FirstError(command.ErrorChain),
            command.Response);
        foreach (var listener in listeners) await listener.CommandFinishedAsync(result, cancellationToken);
    }

    static string? FirstError(string? errorChainJson)
    {
        if (errorChainJson is null) return null;
        using var chain = JsonDocument.Parse(errorChainJson);
        foreach (var error in chain.RootElement.EnumerateArray())
            foreach (var name in (string[])["usEnglishDescription", "localizedDescription", "errorCode"])
                if (error.TryGetProperty(name, out var value) && value.ToString() is { Length: > 0 } text) return text;
        return null;
    }
}
