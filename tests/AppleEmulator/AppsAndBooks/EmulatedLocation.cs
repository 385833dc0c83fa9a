using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ManagedDistribution.AppleEmulator.AppsAndBooks;

/// <summary>
/// One Apps and Books location (organisational unit) with its sToken, assets, assignments,
/// users, events, mdmInfo and notification settings. All state changes happen under
/// <see cref="Sync"/>; notifications are sent after the lock is released.
/// </summary>
public sealed partial class EmulatedLocation
{
    internal readonly object Sync = new();
    readonly AppsAndBooksEmulator emulator;
    long version = 1;
    long sequence;

    internal EmulatedLocation(AppsAndBooksEmulator emulator, string orgName, string locationName, DateTimeOffset expiresOn)
    {
        this.emulator = emulator;
        OrgName = orgName;
        LocationName = locationName;
        ExpiresOn = expiresOn;
        UId = Random.Shared.NextInt64(1_000_000_000, 9_999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var payload = JsonSerializer.Serialize(new { token = Guid.NewGuid().ToString("N"), expDate = AppleTime.Format(expiresOn), orgName }, WireJson.Options);
        SToken = Convert.ToBase64String(Encoding.UTF8.GetBytes(payload));
    }

    public string SToken { get; }
    public string UId { get; }
    public string OrgName { get; }
    public string LocationName { get; }
    public DateTimeOffset ExpiresOn { get; set; }
    public bool IsRevoked { get; set; }
    public WireMdmInfo? MdmInfo { get; set; }
    public string? NotificationUrl { get; internal set; }
    public string? NotificationAuthToken { get; internal set; }
    public IReadOnlyList<string> SubscribedNotificationTypes { get; internal set; } = NotificationTypes.All;

    internal Dictionary<AssetId, EmulatedAsset> Assets { get; } = [];
    internal Dictionary<AssignmentKey, (EmulatedAssignment Row, long Sequence)> Assignments { get; } = [];
    internal List<EmulatedUser> Users { get; } = [];
    internal Dictionary<string, EmulatedEvent> Events { get; } = [];

    readonly Dictionary<string, (long Version, object Rows)> listings = [];

    internal long Version => version;

    /// <summary>
    /// The filtered, ordered rows of a read, computed once per data version: page requests of
    /// one traversal then cost a slice, not a scan and sort (500,000-assignment reconciliations).
    /// Call under <see cref="Sync"/>.
    /// </summary>
    internal List<T> Listing<T>(string key, Func<List<T>> compute)
    {
        if (listings.TryGetValue(key, out var cached) && cached.Version == version) return (List<T>)cached.Rows;
        if (listings.Count > 16) listings.Clear();
        var rows = compute();
        listings[key] = (version, rows);
        return rows;
    }
    internal string VersionId => $"v{version}";

    internal long Bump() => ++version;

    /// <summary>Parses a <c>sinceVersionId</c> from an earlier response; anything else is 9721.</summary>
    internal long ParseVersionId(string versionId) =>
        versionId.Length > 1 && versionId[0] == 'v' && long.TryParse(versionId.AsSpan(1), out var v) && v >= 1 && v <= version
            ? v
            : throw new AppleErrorException(9721);

    /// <summary>The fields common to every response: uId, tokenExpirationDate, mdmInfo once set.</summary>
    internal JsonObject Envelope()
    {
        var json = new JsonObject { ["uId"] = UId, ["tokenExpirationDate"] = AppleTime.Format(ExpiresOn) };
        if (MdmInfo is { } info) json["mdmInfo"] = JsonSerializer.SerializeToNode(info, WireJson.Options);
        return json;
    }

    internal void AddAssignment(AssignmentKey key)
    {
        if (Assignments.ContainsKey(key)) return;
        Assignments[key] = (new EmulatedAssignment(key, Bump()), ++sequence);
        if (Assets.TryGetValue(key.Asset, out var asset)) asset.AssignedCount++;
    }

    internal bool RemoveAssignment(AssignmentKey key)
    {
        if (!Assignments.Remove(key)) return false;
        Bump();
        if (Assets.TryGetValue(key.Asset, out var asset)) asset.AssignedCount--;
        return true;
    }

    internal EmulatedUser? ActiveUser(string clientUserId) =>
        Users.LastOrDefault(u => u.ClientUserId == clientUserId && u.IsActive);

    internal EmulatedEvent NewEvent(string eventType, int numRequested, Func<EmulatedEvent, IReadOnlyList<OutgoingNotification>> work)
    {
        var evt = new EmulatedEvent { EventId = Guid.NewGuid().ToString(), EventType = eventType, NumRequested = numRequested };
        evt.Work = () => work(evt);
        Events[evt.EventId] = evt;
        emulator.Schedule(this, evt);
        return evt;
    }

    internal void Notify(IEnumerable<OutgoingNotification> notifications) => emulator.Notifier.Send(this, notifications);
}
