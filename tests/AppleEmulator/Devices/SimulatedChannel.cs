using System.Collections.Concurrent;

namespace ManagedDistribution.AppleEmulator.Devices;

/// <summary>
/// A command channel of a simulated device: its push token and magic and, for a macOS user
/// channel, the user. Tracks whether a session with the server runs, so that pushes arriving
/// meanwhile lead to exactly one more session (APNs coalesces pushes the same way).
/// </summary>
public sealed class SimulatedChannel
{
    const int Idle = 0, Running = 1, RunningWithPending = 2;
    const int HistoryCapacity = 50;

    readonly ConcurrentQueue<HandledCommand> history = new();
    int sessionState;
    long pushesReceived, sessions;

    internal SimulatedChannel(SimulatedDevice device, byte[] token, string pushMagic, SimulatedUser? user = null)
    {
        Device = device;
        User = user;
        SetToken(token, pushMagic);
    }

    public SimulatedDevice Device { get; }
    public SimulatedUser? User { get; }
    public bool IsUserChannel => User is not null;

    /// <summary>Like the server's channel id: the UDID, or "{UDID}:{UserID}".</summary>
    public string Id => User is null ? Device.Udid : $"{Device.Udid}:{User.UserId}";

    public byte[] Token { get; private set; } = [];
    public string TokenHex { get; private set; } = "";
    public string PushMagic { get; private set; } = "";

    public long PushesReceived => Interlocked.Read(ref pushesReceived);
    public long Sessions => Interlocked.Read(ref sessions);
    public bool InSession => Volatile.Read(ref sessionState) != Idle;

    /// <summary>The most recent commands this channel answered (and the server accepted the answer), oldest first.</summary>
    public IReadOnlyList<HandledCommand> History => history.ToArray();

    /// <summary>A report the server did not accept (non-2xx): the device resends it first on its next connection.</summary>
    internal CommandAnswer? PendingReport { get; set; }

    internal void SetToken(byte[] token, string pushMagic)
    {
        Token = token;
        TokenHex = Convert.ToHexStringLower(token);
        PushMagic = pushMagic;
    }

    internal void CountPush() => Interlocked.Increment(ref pushesReceived);

    internal void Record(HandledCommand command)
    {
        history.Enqueue(command);
        while (history.Count > HistoryCapacity && history.TryDequeue(out _)) { }
    }

    /// <summary>True: the caller runs a session now. False: one runs already and will run once more.</summary>
    internal bool TryBeginSession()
    {
        while (true)
        {
            var state = Volatile.Read(ref sessionState);
            var next = state == Idle ? Running : RunningWithPending;
            if (Interlocked.CompareExchange(ref sessionState, next, state) != state) continue;
            if (state == Idle) Interlocked.Increment(ref sessions);
            return state == Idle;
        }
    }

    /// <summary>True when a push arrived during the session, so the caller runs another one.</summary>
    internal bool EndSessionOrContinue()
    {
        if (Interlocked.CompareExchange(ref sessionState, Idle, Running) == Running) return false;
        Volatile.Write(ref sessionState, Running);
        Interlocked.Increment(ref sessions);
        return true;
    }

    public override string ToString() => IsUserChannel ? $"user channel {Id}" : $"device channel {Id}";
}

/// <summary>The macOS user behind a user channel (UserID, UserShortName, UserLongName in its messages).</summary>
public sealed record SimulatedUser(string UserId, string ShortName, string LongName);

/// <summary>A command the channel answered: its UUID, RequestType and the status sent back.</summary>
public sealed record HandledCommand(string CommandUuid, string RequestType, string Status, DateTimeOffset At);
