using System.Collections.Concurrent;

namespace ManagedDistribution.AppleEmulator.AppsAndBooks;

/// <summary>Knobs of the Apps and Books emulator that tests change in-process or through
/// <c>PUT /emulator/appsandbooks/settings</c>.</summary>
public sealed class EmulatorSettings
{
    /// <summary>Service Config <c>limits</c>; remove a key to test the client's fallback.</summary>
    public ConcurrentDictionary<string, int> Limits { get; } = new(new Dictionary<string, int>
    {
        ["maxAssets"] = 25, ["maxUsers"] = 100, ["maxNotificationLength"] = 512, ["maxRevokeClientUserIds"] = 100,
        ["maxClientUserIds"] = 1000, ["maxSerialNumbers"] = 1000, ["maxRevokeSerialNumbers"] = 100,
        ["maxSubscriptions"] = 25, ["maxSubscriptionClientUserIds"] = 1000, ["maxMdmNameLength"] = 100,
        ["maxMdmMetadataLength"] = 255, ["maxMdmIdLength"] = 100,
    });

    /// <summary>Records per page (Apple uses several hundred); small values exercise paging.</summary>
    public int PageSize { get; set; } = 1000;

    public string InvitationEmailTemplate { get; set; } =
        "https://buy.itunes.apple.com/WebObjects/MZFinance.woa/wa/associateVPPUserWithITSAccount?inviteCode=%25inviteCode%25&mt=8";

    /// <summary>Apple insists on HTTPS notification URLs (9712); tests use plain HTTP listeners.</summary>
    public bool RequireHttpsNotificationUrl { get; set; }

    /// <summary>How long an event stays PENDING before it is processed.</summary>
    public TimeSpan EventProcessingDelay { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Events stay PENDING until <see cref="AppsAndBooksEmulator.ProcessPendingEventsAsync"/>.</summary>
    public bool ManualEventProcessing { get; set; }

    /// <summary>
    /// Associating an assignment that exists fails that identifier with 9616 "license already
    /// assigned" (what v1 answered; v2 leaves it undocumented) instead of succeeding quietly.
    /// </summary>
    public bool AlreadyAssignedFails { get; set; }

    /// <summary>Added to every API request (slowness).</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>Apple tries a notification up to 3 times within 1–5 minutes; here much faster.</summary>
    public int NotificationAttempts { get; set; } = 3;
    public TimeSpan NotificationRetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    public int Limit(string key) => Limits.TryGetValue(key, out var value) ? value : int.MaxValue;
}
