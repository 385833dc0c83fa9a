using System.Collections.Concurrent;

namespace ManagedDistribution.AppleEmulator.Devices;

/// <summary>What the simulated devices did, for tests, the admin API and benchmarks. Thread-safe.</summary>
public sealed class DeviceSimulatorCounters
{
    readonly ConcurrentDictionary<(string RequestType, string Status), long> commands = new();
    long enrolled, enrolFailures, pushesReceived, pushesIgnored, sessions, connectFailures, unreadableCommands;

    public long Enrolled => Interlocked.Read(ref enrolled);
    public long EnrolFailures => Interlocked.Read(ref enrolFailures);

    /// <summary>Pushes for a simulated device's token, topic and push magic.</summary>
    public long PushesReceived => Interlocked.Read(ref pushesReceived);

    /// <summary>Pushes for a simulated device's token with the wrong topic or push magic (a device ignores them).</summary>
    public long PushesIgnored => Interlocked.Read(ref pushesIgnored);

    public long Sessions => Interlocked.Read(ref sessions);

    /// <summary>Connect requests the server answered with a non-2xx status, or that failed.</summary>
    public long ConnectFailures => Interlocked.Read(ref connectFailures);

    /// <summary>Server answers that were not a command plist at all (not even a CommandUUID).</summary>
    public long UnreadableCommands => Interlocked.Read(ref unreadableCommands);

    /// <summary>Reports the server accepted with <paramref name="status"/> (Acknowledged, NotNow, Error, CommandFormatError), for one request type or all.</summary>
    public long Commands(string status, string? requestType = null) =>
        commands.Where(c => c.Key.Status == status && (requestType is null || c.Key.RequestType == requestType)).Sum(c => c.Value);

    public long Acknowledged => Commands("Acknowledged");

    /// <summary>Every counter, with the commands as "RequestType/Status" → count.</summary>
    public CountersSnapshot Snapshot() => new(Enrolled, EnrolFailures, PushesReceived, PushesIgnored, Sessions, ConnectFailures,
        UnreadableCommands, commands.OrderBy(c => c.Key.RequestType).ThenBy(c => c.Key.Status)
            .ToDictionary(c => $"{c.Key.RequestType}/{c.Key.Status}", c => c.Value));

    internal void CountEnrolled() => Interlocked.Increment(ref enrolled);
    internal void CountEnrolFailure() => Interlocked.Increment(ref enrolFailures);
    internal void CountPush() => Interlocked.Increment(ref pushesReceived);
    internal void CountIgnoredPush() => Interlocked.Increment(ref pushesIgnored);
    internal void CountSession() => Interlocked.Increment(ref sessions);
    internal void CountConnectFailure() => Interlocked.Increment(ref connectFailures);
    internal void CountUnreadable() => Interlocked.Increment(ref unreadableCommands);
    internal void CountCommand(string requestType, string status) => commands.AddOrUpdate((requestType, status), 1, (_, n) => n + 1);
}

public sealed record CountersSnapshot(long Enrolled, long EnrolFailures, long PushesReceived, long PushesIgnored, long Sessions,
    long ConnectFailures, long UnreadableCommands, IReadOnlyDictionary<string, long> Commands);
