using System.Collections.Concurrent;

namespace ManagedDistribution.AppleEmulator.AppsAndBooks;

/// <summary>
/// The in-memory Apple Apps and Books service (API v2, contracts/apple.md §1): the state behind
/// the HTTP endpoints and the knobs tests turn (locations and tokens, limits, page size, faults,
/// drift, invitation acceptance). Get it from the emulator's services.
/// </summary>
public sealed class AppsAndBooksEmulator : IDisposable
{
    readonly ConcurrentDictionary<string, EmulatedLocation> byToken = new(StringComparer.Ordinal);
    readonly ConcurrentQueue<(EmulatedLocation Location, EmulatedEvent Event)> pending = new();
    readonly HttpClient notificationHttp = new(new SocketsHttpHandler()) { Timeout = TimeSpan.FromSeconds(10) };

    public AppsAndBooksEmulator(TimeProvider time)
    {
        Time = time;
        Notifier = new NotificationSender(notificationHttp, Settings);
    }

    public TimeProvider Time { get; }
    public EmulatorSettings Settings { get; } = new();
    public FaultInjector Faults { get; } = new();
    public RequestLog Requests { get; } = new();
    public NotificationSender Notifier { get; }

    public IReadOnlyList<EmulatedLocation> Locations => [.. byToken.Values];

    /// <summary>A new location with its own sToken (Base64 JSON {token, expDate, orgName}).</summary>
    public EmulatedLocation AddLocation(string orgName, string? locationName = null, DateTimeOffset? expiresOn = null)
    {
        var location = new EmulatedLocation(this, orgName, locationName ?? orgName, expiresOn ?? Time.GetUtcNow().AddYears(1));
        byToken[location.SToken] = location;
        return location;
    }

    public EmulatedLocation? FindByUId(string uId) => byToken.Values.FirstOrDefault(l => l.UId == uId);

    /// <summary>Checks <c>Authorization: Bearer &lt;sToken&gt;</c>: 9722 malformed, 9601 unknown,
    /// 9625 revoked, 9621 expired.</summary>
    public EmulatedLocation Authenticate(string? authorization)
    {
        if (authorization is null || !authorization.StartsWith("Bearer ", StringComparison.Ordinal) || authorization.Length <= 7)
            throw new AppleErrorException(9722);
        if (!byToken.TryGetValue(authorization[7..].Trim(), out var location)) throw new AppleErrorException(9601);
        if (location.IsRevoked) throw new AppleErrorException(9625);
        if (location.ExpiresOn <= Time.GetUtcNow()) throw new AppleErrorException(9621);
        return location;
    }

    /// <summary>Runs every PENDING event now (with <see cref="EmulatorSettings.ManualEventProcessing"/>).</summary>
    public Task ProcessPendingEventsAsync()
    {
        while (pending.TryDequeue(out var item)) Process(item.Location, item.Event);
        return Task.CompletedTask;
    }

    internal void Schedule(EmulatedLocation location, EmulatedEvent evt)
    {
        if (Settings.ManualEventProcessing)
        {
            pending.Enqueue((location, evt));
            return;
        }
        var delay = Settings.EventProcessingDelay;
        _ = Task.Run(async () =>
        {
            await Task.Delay(delay);
            Process(location, evt);
        });
    }

    static void Process(EmulatedLocation location, EmulatedEvent evt)
    {
        IReadOnlyList<OutgoingNotification> notifications;
        lock (location.Sync)
        {
            if (evt.Status != "PENDING" || evt.Work is null) return;
            notifications = evt.Work();
            evt.Work = null;
            evt.Status = evt.Failures.Count > 0 ? "FAILED" : "COMPLETE";
        }
        location.Notify(notifications);
    }

    public void Dispose() => notificationHttp.Dispose();
}
